package loop

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
	"unsafe"
)

// TestTimersMatchNodeModel runs random programs of timers, clears and blocks on a virtual loop
// and compares the order in which the timers fire with a model written the way
// lib/internal/timers.js is: a map of lists by delay, a priority queue of lists by (expiry, id)
// searched linearly, processTimers and listOnTimeout line by line, with a loop around them that
// waits for the earliest expiry.
func TestTimersMatchNodeModel(t *testing.T) {
	for seed := range uint64(1000) {
		prog := randomTimerProgram(seed)
		var got []string
		l := New(Options{Backend: NewVirtual(VirtualConfig{})})
		handles := map[int]*Timer{}
		refreshed := map[*timerAct]bool{}
		// A timeout no clear or refresh names is armed without a handle, so that its record is reused
		// once it fired, among those with handles.
		named := map[int]bool{}
		var names func(acts []timerAct)
		names = func(acts []timerAct) {
			for _, a := range acts {
				named[a.clear] = true
				named[a.refresh] = true
				names(a.then)
			}
		}
		names(prog)
		var do func(acts []timerAct)
		do = func(acts []timerAct) {
			for i, a := range acts {
				switch {
				case a.block > 0:
					l.Block(a.block)
				case a.clear >= 0:
					if h := handles[a.clear]; h != nil {
						l.ClearTimer(h)
					}
				case a.refresh > 0:
					// Each refresh act runs once: a timer that refreshes itself every time
					// would run for ever.
					if h := handles[a.refresh]; h != nil && !refreshed[&acts[i]] {
						refreshed[&acts[i]] = true
						l.Refresh(h)
					}
				default:
					a := a
					fire := func() { got = append(got, a.name); do(a.then) }
					if a.interval {
						var h *Timer
						n := 0
						h = l.SetInterval(a.delay, Label(a.name), func() {
							fire()
							if n++; n == 3 {
								l.ClearTimer(h)
							}
						})
						handles[a.id] = h
					} else if named[a.id] {
						handles[a.id] = l.SetTimeout(a.delay, Label(a.name), fire)
					} else {
						l.QueueTimeout(a.delay, Label(a.name), fire)
					}
				}
			}
		}
		if err := l.Run(func() { do(prog) }); err != nil {
			t.Fatal(err)
		}
		want := nodeTimerModel(prog)
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d:\n got  %v\n want %v", seed, got, want)
		}
	}
}

// A timerAct is one step of a random timer program: arm a timer (with the acts of its
// callback), clear or refresh one by id, or block.
type timerAct struct {
	name     string
	id       int
	delay    time.Duration
	interval bool
	then     []timerAct
	clear    int // the id to clear, or -1
	refresh  int // the id to refresh, or 0
	block    time.Duration
}

func randomTimerProgram(seed uint64) []timerAct {
	rng := rand.New(rand.NewPCG(seed, 7))
	id := 0
	var gen func(depth int) []timerAct
	gen = func(depth int) []timerAct {
		var acts []timerAct
		for range rng.IntN(4) {
			switch k := rng.IntN(10); {
			case k < 6 && depth < 3:
				id++
				acts = append(acts, timerAct{name: fmt.Sprint("t", id), id: id, clear: -1,
					delay:    []time.Duration{1, 2, 5, 10}[rng.IntN(4)] * ms,
					interval: rng.IntN(6) == 0, then: gen(depth + 1)})
			case k < 7:
				acts = append(acts, timerAct{clear: 1 + rng.IntN(id+1)})
			case k < 8:
				acts = append(acts, timerAct{clear: -1, refresh: 1 + rng.IntN(id+1)})
			default:
				acts = append(acts, timerAct{clear: -1, block: time.Duration(1+rng.IntN(8000)) * time.Microsecond})
			}
		}
		return acts
	}
	return gen(0)
}

// nodeTimerModel runs prog as Node.js would, with a clock that only blocks and waits move, and
// returns the names of the timers in the order they fire.
func nodeTimerModel(prog []timerAct) []string {
	type timer struct {
		act     timerAct
		start   time.Duration
		runs    int
		cleared bool
	}
	type list struct {
		msecs, expiry time.Duration
		id            int
		timers        []*timer
	}
	var (
		clock   time.Duration // the clock, which blocks move
		loopNow time.Duration // the cached loop time, whole ms
		lists   = map[time.Duration]*list{}
		queue   []*list
		listID  int
		byID    = map[int]*timer{}
		fired   []string
	)
	getLibuvNow := func() time.Duration { loopNow = clock.Truncate(ms); return loopNow }
	remove := func(L *list) {
		queue = slices.DeleteFunc(queue, func(x *list) bool { return x == L })
		if lists[L.msecs] == L {
			delete(lists, L.msecs)
		}
	}
	// unlink takes a timer out of its list, which stays even if empty (L.append's remove).
	unlink := func(tm *timer) {
		for _, L := range lists {
			if i := slices.Index(L.timers, tm); i >= 0 {
				L.timers = slices.Delete(L.timers, i, i+1)
			}
		}
	}
	insert := func(tm *timer, msecs, start time.Duration) {
		unlink(tm)
		tm.start = start
		L := lists[msecs]
		if L == nil {
			listID++
			L = &list{msecs: msecs, expiry: start + msecs, id: listID}
			lists[msecs] = L
			queue = append(queue, L)
		}
		L.timers = append(L.timers, tm)
	}
	peek := func() *list {
		var best *list
		for _, L := range queue {
			if best == nil || L.expiry < best.expiry || L.expiry == best.expiry && L.id < best.id {
				best = L
			}
		}
		return best
	}
	clearTimer := func(tm *timer) { // unenroll
		tm.cleared = true
		for _, L := range lists {
			if i := slices.Index(L.timers, tm); i >= 0 {
				L.timers = slices.Delete(L.timers, i, i+1)
				if len(L.timers) == 0 {
					remove(L)
				}
			}
		}
	}
	refreshed := map[*timerAct]bool{}
	do := func(acts []timerAct) {
		for i, a := range acts {
			switch {
			case a.block > 0:
				clock += a.block
			case a.refresh > 0: // refresh: insertGuarded, unless cleared (_idleTimeout -1)
				if tm := byID[a.refresh]; tm != nil && !refreshed[&acts[i]] {
					refreshed[&acts[i]] = true
					if tm.cleared {
						continue
					}
					insert(tm, tm.act.delay, getLibuvNow())
				}
			case a.clear >= 0:
				if tm := byID[a.clear]; tm != nil && !tm.cleared {
					clearTimer(tm)
				}
			default:
				tm := &timer{act: a}
				byID[a.id] = tm
				insert(tm, a.delay, getLibuvNow())
			}
		}
	}
	listOnTimeout := func(L *list, now time.Duration) {
		for len(L.timers) > 0 {
			tm := L.timers[0]
			if now-tm.start < L.msecs {
				L.expiry = max(tm.start+L.msecs, now+ms)
				listID++
				L.id = listID
				return
			}
			L.timers = L.timers[1:]
			var start time.Duration
			if tm.act.interval {
				start = getLibuvNow()
			}
			fired = append(fired, tm.act.name)
			do(tm.act.then)
			if tm.act.interval {
				tm.runs++
				if tm.runs == 3 {
					tm.cleared = true
					clearTimer(tm) // refreshed by its own callback, it was back in its list
				}
			}
			if tm.act.interval && !tm.cleared {
				insert(tm, L.msecs, start)
			}
		}
		remove(L)
	}
	processTimers := func(now time.Duration) {
		for L := peek(); L != nil && L.expiry <= now; L = peek() {
			listOnTimeout(L, now)
		}
	}
	do(prog)
	for {
		processTimers(getLibuvNow())
		L := peek()
		if L == nil {
			return fired
		}
		clock = max(clock, L.expiry) // poll waits for the earliest expiry
	}
}

// TestTimerIs40Bytes pins the size of a Timer where pointers are 8 bytes: its callback, its
// deadline, its two list links and its delay with its state and flags, which slabs hold with
// nothing beside them (its source is kept beside it only while a Recorder listens). Where
// pointers are 4, it only checks that a Timer is no larger.
func TestTimerIs40Bytes(t *testing.T) {
	size := unsafe.Sizeof(Timer{})
	if unsafe.Sizeof(uintptr(0)) == 8 {
		if size != 40 {
			t.Errorf("a Timer is %d bytes; keep it at 40", size)
		}
		return
	}
	if size > 40 {
		t.Errorf("a Timer is %d bytes; keep it at most 40", size)
	}
}

// TestRule7FractionalDelayIsTruncated: 150.9 ms is a 150 ms timer, in the 150 ms list, so it runs
// with a 150 ms timer armed after it and before a 151 ms one armed before both; 0.5 ms is 1 ms
// (lib/internal/timers.js insert: MathTrunc, then 1 if below; Node's
// test-timers-non-integer-delay).
func TestRule7FractionalDelayIsTruncated(t *testing.T) {
	var got []string
	l := New(Options{Backend: NewVirtual(VirtualConfig{})})
	log := func(s string) func() { return func() { got = append(got, s) } }
	err := l.Run(func() {
		l.SetTimeout(151*time.Millisecond, Label("151"), log("151 ms"))
		l.SetTimeout(150900*time.Microsecond, Label("150.9"), log("150.9 ms"))
		l.SetTimeout(150*time.Millisecond, Label("150"), log("150 ms"))
		l.SetTimeout(500*time.Microsecond, Label("0.5"), log("0.5 ms"))
		l.SetTimeout(time.Millisecond, Label("1"), log("1 ms"))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0.5 ms", "1 ms", "150.9 ms", "150 ms", "151 ms"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// onFreeList reports whether t is among the loop's spent timer records.
func onFreeList(l *Loop, t *Timer) bool {
	for f := l.records.freeTimers; f != nil; f = f.next {
		if f == t {
			return true
		}
	}
	return false
}

// TestClearOfFiredTimerAfterReuseDoesNothing: timers without a handle (QueueTimeout) have their
// records reused once fired; a handle from SetTimeout names its own record for good, so clearing
// it after it fired, with many records reused since, cancels nothing else.
func TestClearOfFiredTimerAfterReuseDoesNothing(t *testing.T) {
	l := New(Options{})
	var kept, keptInterval *Timer
	fired, ticks := 0, 0
	count := func() { fired++ }
	err := l.Run(func() {
		kept = l.SetTimeout(time.Millisecond, Label("kept"), func() {
			// Spent records of the first batch are reused by a second one, armed now.
			for range 2 * timerSlab {
				l.QueueTimeout(time.Millisecond, Label("second"), count)
			}
			l.ClearTimer(kept) // fired: nothing to cancel, only a later Refresh to refuse
			if kept.state() != timerCleared {
				t.Errorf("kept timer in state %v after it fired and was cleared", kept.state())
			}
		})
		keptInterval = l.SetInterval(time.Millisecond, Label("interval"), func() {
			if ticks++; ticks == 3 {
				l.ClearTimer(keptInterval)
			}
		})
		for range 2 * timerSlab {
			l.QueueTimeout(time.Millisecond, Label("first"), count)
		}
		l.QueueTimeout(5*time.Millisecond, Label("late"), func() {
			l.ClearTimer(kept) // again, long after: still nothing
			l.ClearTimer(keptInterval)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if fired != 4*timerSlab || ticks != 3 {
		t.Errorf("%d timers fired, interval ran %d times; want %d and 3", fired, ticks, 4*timerSlab)
	}
	if onFreeList(l, kept) || onFreeList(l, keptInterval) {
		t.Error("a record whose handle was handed out was taken back for reuse")
	}
	if l.records.freeTimers == nil {
		t.Error("no spent record was taken back")
	}
}

// TestClearOfRunImmediateAfterReuseDoesNothing: the same for immediates.
func TestClearOfRunImmediateAfterReuseDoesNothing(t *testing.T) {
	l := New(Options{})
	var kept, cleared *Immediate
	ran := 0
	count := func() { ran++ }
	err := l.Run(func() {
		kept = l.SetImmediate(Label("kept"), func() {
			for range 2 * immediateSlab {
				l.QueueImmediate(Label("second"), count)
			}
			l.ClearImmediate(kept) // ran: nothing to cancel
		})
		for range 2 * immediateSlab {
			l.QueueImmediate(Label("first"), count)
		}
		cleared = l.SetImmediate(Label("cleared"), func() { t.Error("a cleared immediate ran") })
		l.ClearImmediate(cleared)
		l.QueueTimeout(5*time.Millisecond, Label("late"), func() {
			l.ClearImmediate(kept)
			l.ClearImmediate(cleared)
			l.QueueImmediate(Label("third"), count)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if ran != 4*immediateSlab+1 {
		t.Errorf("%d immediates ran, want %d", ran, 4*immediateSlab+1)
	}
	for f := l.records.freeImm; f != nil; f = f.next {
		if f == kept || f == cleared {
			t.Error("a record whose handle was handed out was taken back for reuse")
		}
	}
	if l.records.freeImm == nil {
		t.Error("no spent record was taken back")
	}
	if l.liveImmediates != 0 {
		t.Errorf("%d immediates counted live at the end", l.liveImmediates)
	}
}

// TestTimerBitsKeepDelayAndFlags checks that a timer's state and flags, kept in the low bits of
// its delay, never change the delay, and the delay never changes them.
func TestTimerBitsKeepDelayAndFlags(t *testing.T) {
	for _, d := range []time.Duration{0, time.Millisecond, 150900 * time.Microsecond, 24 * time.Hour, EndOfTime} {
		for _, s := range []timerState{timerIdle, timerArmed, timerCleared} {
			tm := &Timer{bits: timerDelay(d) | bitsRepeat | bitsKept | bitsUnref}
			tm.setState(s)
			if tm.delay() != timerDelay(d) || tm.state() != s || !tm.interval() || !tm.kept() || !tm.unref() {
				t.Errorf("delay %v, state %v: got delay %v, state %v, interval %v, kept %v, unref %v",
					d, s, tm.delay(), tm.state(), tm.interval(), tm.kept(), tm.unref())
			}
		}
	}
}
