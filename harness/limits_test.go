package harness

import (
	"runtime"
	"testing"
	"time"

	"github.com/looptest/looptest/loop"
)

// TestPendingBytes measures the heap a waiting callback takes, per kind, as the loop holds it:
// the default --max-pending divides --max-memory by PendingBytes, so that a flood of them stops
// there about when the heap reaches the guard. It compares the live heap with n and 2n waiting.
func TestPendingBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates hundreds of MB")
	}
	nop := func() {}
	kinds := map[string]func(l *loop.Loop){
		"timer":     func(l *loop.Loop) { l.QueueTimeout(time.Millisecond, loop.Label("t"), nop) },
		"immediate": func(l *loop.Loop) { l.QueueImmediate(loop.Label("i"), nop) },
		"nextTick":  func(l *loop.Loop) { l.NextTick(loop.Label("n"), nop) },
		"microtask": func(l *loop.Loop) { l.QueueMicrotask(loop.Label("m"), nop) },
	}
	live := func(queue func(*loop.Loop), n int) uint64 {
		var heap uint64
		l := loop.New(loop.Options{})
		err := l.Run(func() {
			for range n {
				queue(l)
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heap = ms.HeapAlloc
		})
		if err != nil {
			t.Fatal(err)
		}
		return heap
	}
	const n = 1 << 19
	for name, queue := range kinds {
		per := float64(live(queue, 2*n)-live(queue, n)) / n
		t.Logf("%s: %.1f bytes", name, per)
		if per > PendingBytes+1 { // a byte for the rounding of the loop's slabs
			t.Errorf("a waiting %s takes %.1f bytes; PendingBytes says at most %d", name, per, PendingBytes)
		}
	}
}
