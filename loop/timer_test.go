package loop

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
	"unsafe"
)

// TestTimerQueueMatchesModel drives the per-delay lists with random pushes (including
// out-of-order ones, as interval rearms make), cancels and pops, and compares every min with a
// plain sorted slice.
func TestTimerQueueMatchesModel(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 1))
		var q timerQueue
		var model []*Timer // armed, in any order
		var seq uint64
		now := time.Duration(0)
		delays := []time.Duration{1 * ms, 2 * ms, 5 * ms, 7 * ms}[:1+rng.IntN(4)]
		for range 2000 {
			switch op := rng.IntN(10); {
			case op < 5: // arm, usually now, sometimes from an earlier start
				from := now
				if rng.IntN(8) == 0 {
					from -= time.Duration(rng.IntN(4)) * ms
				}
				seq++
				tm := &Timer{delay: delays[rng.IntN(len(delays))], bits: seq<<seqShift | uint64(timerArmed)}
				tm.deadline = from + tm.delay
				q.push(tm)
				model = append(model, tm)
			case op < 7 && len(model) > 0: // clear
				i := rng.IntN(len(model))
				q.cancel(model[i])
				model[i].setState(timerCleared)
				model = slices.Delete(model, i, i+1)
			case op < 9: // pop what is due
				now += time.Duration(rng.IntN(3)) * ms
				for {
					got := q.min()
					want := modelMin(model)
					if got != want {
						t.Fatalf("seed %d: min = %v, want %v", seed, got, want)
					}
					if got == nil || got.deadline > now {
						break
					}
					q.pop()
					got.setState(timerIdle)
					model = slices.DeleteFunc(model, func(x *Timer) bool { return x == got })
				}
			}
			if q.len() != len(model) {
				t.Fatalf("seed %d: len = %d, want %d", seed, q.len(), len(model))
			}
		}
	}
}

// TestTimerIs48Bytes pins the size of a Timer where pointers are 8 bytes. Where they are 4, a
// Timer is 36 bytes; it only checks there that a Timer still fits the 48-byte size class.
func TestTimerIs48Bytes(t *testing.T) {
	size := unsafe.Sizeof(Timer{})
	if unsafe.Sizeof(uintptr(0)) == 8 {
		if size != 48 {
			t.Errorf("a Timer is %d bytes; keep it at 48, a size class of its own", size)
		}
		return
	}
	if size > 48 {
		t.Errorf("a Timer is %d bytes; keep it within 48, the size class it has on 64-bit systems", size)
	}
}

func modelMin(model []*Timer) *Timer {
	if len(model) == 0 {
		return nil
	}
	return slices.MinFunc(model, func(a, b *Timer) int {
		if before(a, b) {
			return -1
		}
		if before(b, a) {
			return 1
		}
		return 0
	})
}
