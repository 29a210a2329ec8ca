package loop

import (
	"slices"
	"time"
)

// minDelay is the shortest delay a timer can have: as in Node.js, a timeout or interval below
// 1 ms runs as 1 ms.
const minDelay = time.Millisecond

// A Timer is a timeout or an interval. Timers run in (deadline, seq) order: seq comes from a
// per-loop counter taken when the timer is armed, so timers with equal deadlines fire in the
// order they were armed.
type Timer struct {
	label    string
	cb       func()
	deadline time.Duration
	delay    time.Duration // the delay, or the period of an interval: the key of its list
	// bits packs seq (the high 61 bits), whether the timer is an interval (bit 2) and its state
	// (bits 0-1), so that a Timer is 48 bytes: a million of them is 16 MB less than at 64.
	bits uint64
}

const (
	stateMask   = 3
	intervalBit = 4
	seqShift    = 3
)

func (t *Timer) seq() uint64           { return t.bits >> seqShift }
func (t *Timer) state() timerState     { return timerState(t.bits & stateMask) }
func (t *Timer) setState(s timerState) { t.bits = t.bits&^stateMask | uint64(s) }
func (t *Timer) interval() bool        { return t.bits&intervalBit != 0 }

type timerState uint8

const (
	timerIdle    timerState = iota // not armed yet, or fired (a timeout)
	timerArmed                     // in its list
	timerDue                       // taken out for the current timers phase
	timerCleared                   // cleared: never fires again
)

// SetTimeout arms a timer that runs cb once, delay after now (Node's setTimeout).
func (l *Loop) SetTimeout(delay time.Duration, label string, cb func()) *Timer {
	t := &Timer{label: label, cb: cb, delay: max(delay, minDelay)}
	l.arm(t, l.clock.Now())
	return t
}

// SetInterval arms a timer that runs cb every period until it is cleared (Node's setInterval).
func (l *Loop) SetInterval(period time.Duration, label string, cb func()) *Timer {
	t := &Timer{label: label, cb: cb, delay: max(period, minDelay), bits: intervalBit}
	l.arm(t, l.clock.Now())
	return t
}

// ClearTimer cancels t: it will not fire again, even if it is due in the current timers phase.
// Clearing a timer that fired or was cleared does nothing.
func (l *Loop) ClearTimer(t *Timer) {
	switch t.state() {
	case timerCleared:
		return
	case timerIdle:
		if !t.interval() {
			return // a timeout that fired (or is firing): nothing to cancel
		}
	case timerArmed:
		l.timers.cancel(t)
	}
	t.setState(timerCleared)
	l.trace(KindTimerCleared, t.label, 0)
}

// arm schedules t for from plus its delay.
func (l *Loop) arm(t *Timer, from time.Duration) {
	l.seq++
	t.deadline = from + t.delay
	t.bits = l.seq<<seqShift | t.bits&intervalBit | uint64(timerArmed)
	l.timers.push(t)
	l.trace(KindTimerArmed, t.label, t.deadline)
}

// runTimers runs the timers that are due at the cached loop time. They are all collected first,
// so a timer armed by one of these callbacks waits for a later timers phase.
func (l *Loop) runTimers() {
	l.phase = PhaseTimers
	due := l.due[:0]
	for {
		t := l.timers.min()
		if t == nil || t.deadline > l.time {
			break
		}
		l.timers.pop()
		t.setState(timerDue)
		due = append(due, t)
	}
	for i, t := range due {
		due[i] = nil
		if t.state() == timerDue && l.err == nil {
			l.fire(t)
		}
	}
	l.due = due[:0]
}

// fire runs a due timer's callback, rearms it if it is an interval, then drains the queues.
func (l *Loop) fire(t *Timer) {
	if !l.enter() {
		return
	}
	start := l.clock.Now()
	l.trace(KindTimerFired, t.label, 0)
	t.setState(timerIdle)
	t.cb()
	if t.interval() && t.state() == timerIdle {
		l.arm(t, start)
	}
	l.drain()
}

// timerQueue holds the armed timers the way Node.js does: one list per delay, and a min-heap of
// the lists keyed by their first timer. Timers of one delay are mostly armed in time order, so a
// list is sorted by appending, and the heap has as many entries as there are distinct delays, not
// timers. Merging the lists through the heap gives exactly the (deadline, seq) order. A cleared
// timer stays in its list, marked, until it reaches the front or the list is compacted.
type timerQueue struct {
	lists  map[time.Duration]*timerList
	heap   minHeap[*timerList] // by (deadline, seq) of each list's first timer
	active int                 // armed timers, not counting cleared ones
}

// timerList is the timers of one delay, sorted by (deadline, seq).
type timerList struct {
	delay  time.Duration
	timers []*Timer
	head   int // timers[head:] are the list
	dead   int // cleared timers still in the list
	index  int // position in the heap
}

func before(a, b *Timer) bool {
	return a.deadline < b.deadline || a.deadline == b.deadline && a.seq() < b.seq()
}

func (a *timerList) less(b *timerList) bool { return before(a.timers[a.head], b.timers[b.head]) }
func (a *timerList) setIndex(i int)         { a.index = i }

func (q *timerQueue) len() int { return q.active }

func (q *timerQueue) push(t *Timer) {
	if q.lists == nil {
		q.lists = map[time.Duration]*timerList{}
	}
	q.active++
	tl := q.lists[t.delay]
	if tl == nil {
		tl = &timerList{delay: t.delay}
		q.lists[t.delay] = tl
		tl.timers = append(tl.timers, t)
		q.heap.push(tl)
		return
	}
	// A list in the map is never empty: it leaves the map when its last timer does.
	n := len(tl.timers)
	if !before(t, tl.timers[n-1]) {
		tl.timers = append(tl.timers, t)
		return
	}
	// An interval rearmed from its callback's start can come before timers armed during that
	// callback: insert it in order, searching from the back.
	i := n
	for i > tl.head && before(t, tl.timers[i-1]) {
		i--
	}
	tl.timers = slices.Insert(tl.timers, i, t)
	if i == tl.head {
		q.heap.fix(tl.index)
	}
}

// min returns the next timer to fire, or nil. It drops cleared timers from the fronts of lists.
func (q *timerQueue) min() *Timer {
	for q.heap.len() > 0 {
		tl := q.heap.top()
		if t := tl.timers[tl.head]; t.state() != timerCleared {
			return t
		}
		tl.dead--
		q.shift(tl)
	}
	return nil
}

// pop removes the timer min returned.
func (q *timerQueue) pop() {
	q.active--
	q.shift(q.heap.top())
}

// shift removes the first timer of tl, which is at the top of the heap.
func (q *timerQueue) shift(tl *timerList) {
	tl.timers[tl.head] = nil
	tl.head++
	if tl.head == len(tl.timers) {
		q.removeList(tl)
		return
	}
	if tl.head > 64 && tl.head*2 > len(tl.timers) {
		n := copy(tl.timers, tl.timers[tl.head:])
		clear(tl.timers[n:])
		tl.timers, tl.head = tl.timers[:n], 0
	}
	q.heap.fix(0)
}

// cancel marks an armed timer's departure; the list drops it lazily, or compacts when more than
// half of it is cleared.
func (q *timerQueue) cancel(t *Timer) {
	q.active--
	tl := q.lists[t.delay]
	tl.dead++
	if tl.dead > 32 && tl.dead*2 > len(tl.timers)-tl.head {
		live := tl.timers[:0]
		for _, x := range tl.timers[tl.head:] {
			if x != t && x.state() != timerCleared {
				live = append(live, x)
			}
		}
		clear(tl.timers[len(live):])
		tl.timers, tl.head, tl.dead = live, 0, 0
		if len(live) == 0 {
			q.removeList(tl)
		} else {
			q.heap.fix(tl.index)
		}
	}
}

func (q *timerQueue) removeList(tl *timerList) {
	delete(q.lists, tl.delay)
	q.heap.remove(tl.index)
}
