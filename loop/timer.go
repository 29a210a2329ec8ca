package loop

import (
	"math"
	"time"
)

// minDelay is the shortest delay a timer can have: as in Node.js, a timeout or interval below
// 1 ms runs as 1 ms.
const minDelay = time.Millisecond

// A Timer is a timeout or an interval. Timers of one delay form one list, in the order they
// were armed, linked through prev and next as Node's TimersList links them, and the lists sit
// in a priority queue keyed by (expiry, id), as Node.js keeps them (lib/internal/timers.js):
// see runTimers. Its list keeps the order it was armed in, so it needs no sequence number.
// Records come from slabs (records): 40 bytes each, with nothing beside them per timer. The
// source a timer was armed with names it in the trace only, so it is kept beside the record, and
// only while a Recorder listens (sources).
type Timer struct {
	cb         func()
	deadline   time.Duration // its start, a whole millisecond, plus its delay
	prev, next *Timer        // its neighbours in its list; next links the free records too
	// bits is the delay, or the period of an interval, the key of its list, with the timer's
	// state and flags in its low bits: a delay is whole milliseconds, and a millisecond,
	// 1,000,000 ns, is a multiple of 64, so its 6 low bits are 0.
	bits time.Duration
}

// The low bits of Timer.bits.
const (
	bitsState  = 3  // its timerState
	bitsRepeat = 4  // an interval
	bitsKept   = 8  // a handle was handed out (SetTimeout, SetInterval): never reused
	bitsUnref  = 16 // it does not keep the loop alive (Unref)
	bitsFlags  = 63 // all the low bits, which a delay leaves 0
)

func (t *Timer) delay() time.Duration       { return t.bits &^ bitsFlags }
func (t *Timer) state() timerState          { return timerState(t.bits & bitsState) }
func (t *Timer) setState(s timerState)      { t.bits = t.bits&^bitsState | time.Duration(s) }
func (t *Timer) interval() bool             { return t.bits&bitsRepeat != 0 }
func (t *Timer) kept() bool                 { return t.bits&bitsKept != 0 }
func (t *Timer) unref() bool                { return t.bits&bitsUnref != 0 }
func (t *Timer) start() time.Duration       { return t.deadline - t.delay() }
func (t *Timer) due(now time.Duration) bool { return now-t.start() >= t.delay() }

type timerState uint8

const (
	timerIdle    timerState = iota // not armed yet, or fired (a timeout)
	timerArmed                     // in its list
	timerCleared                   // cleared: never fires again
)

// SetTimeout arms a timer that runs cb once, delay after now (Node's setTimeout), and returns its
// handle for ClearTimer. Its start is the clock read afresh, in whole milliseconds, which also
// refreshes the cached loop time (rule 7: Node's getLibuvNow).
func (l *Loop) SetTimeout(delay time.Duration, src Source, cb func()) *Timer {
	return l.newTimer(delay, src, cb, false, true)
}

// QueueTimeout arms a timer as SetTimeout does, without a handle: nothing can clear it, so its
// record is reused once it has fired, and arming it allocates nothing in the steady state.
func (l *Loop) QueueTimeout(delay time.Duration, src Source, cb func()) {
	l.newTimer(delay, src, cb, false, false)
}

// SetInterval arms a timer that runs cb every period until it is cleared (Node's setInterval).
func (l *Loop) SetInterval(period time.Duration, src Source, cb func()) *Timer {
	return l.newTimer(period, src, cb, true, true)
}

func (l *Loop) newTimer(delay time.Duration, src Source, cb func(), repeat, kept bool) *Timer {
	t := l.records.timer()
	t.cb, t.bits = cb, timerDelay(delay)
	l.timerSrc.keep(l, t, src)
	if repeat {
		t.bits |= bitsRepeat
	}
	if kept {
		t.bits |= bitsKept
	}
	l.arm(t, l.freshTime())
	return t
}

// timerDelay is a delay as Node's timers keep it (lib/internal/timers.js insert): truncated to
// whole milliseconds (MathTrunc), then raised to 1 ms if below: 150.9 ms is a 150 ms timer, in
// the 150 ms list, and 0.5 ms is 1 ms.
func timerDelay(d time.Duration) time.Duration { return max(wholeMs(d), minDelay) }

// freshTime refreshes the cached loop time from the clock and returns it.
func (l *Loop) freshTime() time.Duration {
	l.time = wholeMs(l.clock.Now())
	return l.time
}

// wholeMs truncates d to whole milliseconds, the unit of Node's loop time.
func wholeMs(d time.Duration) time.Duration { return d.Truncate(time.Millisecond) }

// ceilMs rounds d up to whole milliseconds.
func ceilMs(d time.Duration) time.Duration { return wholeMs(later(d, time.Millisecond-1)) }

// EndOfTime is the latest time a loop reaches, a whole millisecond about 292 years in: its
// clock and every deadline saturate there instead of wrapping past math.MaxInt64. What is due
// later happens then, in the order it would have.
const EndOfTime = time.Duration(math.MaxInt64) / time.Millisecond * time.Millisecond

// later returns t plus d, or EndOfTime if that is later (0 <= t <= EndOfTime, d >= 0).
func later(t, d time.Duration) time.Duration {
	if d >= EndOfTime-t {
		return EndOfTime
	}
	return t + d
}

// Unref makes t one that does not keep the loop alive, as Node's timer.unref(): it still fires
// while something else keeps the loop running, and the loop ends when only such timers are
// left. A refreshed or rearmed timer stays unref'd.
func (l *Loop) Unref(t *Timer) {
	if t.unref() {
		return
	}
	t.bits |= bitsUnref
	if t.state() == timerArmed {
		l.timers.refed--
	}
}

// Refresh starts t afresh, as Node's timer.refresh(): its start is the clock read afresh (which
// refreshes the cached loop time, rule 7) and it goes to the back of its delay's list, behind
// the timers armed before now, wherever it was. A timeout that already fired is armed again; a
// cleared timer is left alone. Inside an interval's own callback it changes nothing: the
// interval is rearmed from the time its callback started when the callback returns, as Node's
// listOnTimeout does.
func (l *Loop) Refresh(t *Timer) {
	switch t.state() {
	case timerCleared:
		return
	case timerArmed:
		l.timers.unlink(t)
	}
	l.arm(t, l.freshTime())
}

// ClearTimer cancels t: it will not fire again, even if it is due in the current timers phase,
// nor after a Refresh. Clearing a timer that fired or was cleared records nothing.
func (l *Loop) ClearTimer(t *Timer) {
	switch t.state() {
	case timerCleared:
		return
	case timerIdle:
		if !t.interval() {
			// A timeout that fired (or is firing): nothing to cancel, but a Refresh will
			// not arm it again (Node's clearTimeout drops its callback).
			t.setState(timerCleared)
			return
		}
	case timerArmed:
		l.timers.cancel(t)
	}
	t.setState(timerCleared)
	l.traceTimer(KindTimerCleared, t, 0)
}

// traceTimer records an event of t, named by the source t was armed with.
func (l *Loop) traceTimer(k Kind, t *Timer, arg time.Duration) {
	if l.rec != nil {
		l.record(k, l.timerSrc[t], arg)
	}
}

// arm appends t to the list of its delay, due its delay after start.
func (l *Loop) arm(t *Timer, start time.Duration) {
	t.deadline = later(start, t.delay())
	t.setState(timerArmed)
	l.timers.push(t)
	l.traceTimer(KindTimerArmed, t, t.deadline)
	l.checkPending()
}

// runTimers is Node's processTimers at the cached loop time, now. It takes the list with the
// least (expiry, id) while its expiry has come, and runs that list's timers in the order they
// were armed until one is not due (listOnTimeout): the list then waits, keyed anew by that
// timer's deadline (at least now + 1 ms) and a new id. So every due timer of one delay runs
// before those of the next list, whatever their deadlines (rule 6); a timer armed during the
// phase starts at or after now and is not due in it.
func (l *Loop) runTimers() {
	l.phase = PhaseTimers
	now := l.time
	defer l.settleThrown()
	for l.err == nil {
		tl := l.timers.next()
		if tl == nil || tl.expiry > now {
			return
		}
		l.settleThrown() // a timer that threw ended its list: its queues run before the next list
		l.runList(tl, now)
	}
}

// runList runs the due timers of tl, at the front of the queue (listOnTimeout).
func (l *Loop) runList(tl *timerList, now time.Duration) {
	for l.err == nil {
		t := tl.first()
		switch {
		case t == nil:
			l.timers.removeList(tl)
			return
		case !t.due(now):
			l.timers.rekey(tl, max(t.deadline, later(now, time.Millisecond)))
			return
		}
		l.timers.shift(tl)
		l.fire(t)
		if tl.index < 0 {
			return // its timers were all cleared by the callback: the list is gone
		}
	}
}

// fire runs a due timer's callback, rearms it if it is an interval, then drains the queues. An
// interval starts again from the time its callback started (Node reads it afresh before the
// callback), at the back of its list.
func (l *Loop) fire(t *Timer) {
	if !l.enter() {
		return
	}
	var start time.Duration
	if t.interval() {
		start = l.freshTime()
	}
	l.traceTimer(KindTimerFired, t, 0)
	t.setState(timerIdle)
	t.cb()
	switch {
	case !t.interval() || t.state() == timerCleared:
		if !t.kept() && t.state() != timerArmed {
			l.records.putTimer(t) // spent, and no handle reaches it: reuse it
			delete(l.timerSrc, t)
		}
	case t.state() == timerArmed: // refreshed by its own callback: rearmed from its start all the same
		l.timers.unlink(t)
		l.arm(t, start)
	default:
		l.arm(t, start)
	}
	l.drain()
}

// timerQueue holds the armed timers the way Node.js does: one list per delay, in the order the
// timers were armed, and a priority queue of the lists keyed by (expiry, id). A list's expiry is
// its first timer's deadline when it is made, and is set again when the timers phase leaves it
// with timers not yet due; its id comes from a counter, taken again then, so that of two lists
// with one expiry the one made (or left) first goes first. A cleared timer leaves its list at
// once, as Node's does (L.remove); a list left empty leaves the queue.
type timerQueue struct {
	lists  map[time.Duration]*timerList
	heap   minHeap[*timerList]
	last   *timerList // the list of the last push: timers come in runs of one delay
	active int        // armed timers
	refed  int        // the armed timers that keep the loop alive (not unref'd)
	ids    uint64     // the last list id handed out
}

// timerList is the timers of one delay, linked from head to tail.
type timerList struct {
	delay      time.Duration
	expiry     time.Duration
	id         uint64
	head, tail *Timer
	index      int // position in the heap; -1 once the list has left it
}

func (tl *timerList) less(b *timerList) bool {
	return tl.expiry < b.expiry || tl.expiry == b.expiry && tl.id < b.id
}
func (tl *timerList) setIndex(i int) { tl.index = i }

// first returns the list's first timer, or nil.
func (tl *timerList) first() *Timer { return tl.head }

// unlink takes t out of tl.
func (tl *timerList) unlink(t *Timer) {
	if t.prev == nil {
		tl.head = t.next
	} else {
		t.prev.next = t.next
	}
	if t.next == nil {
		tl.tail = t.prev
	} else {
		t.next.prev = t.prev
	}
	t.prev, t.next = nil, nil
}

func (q *timerQueue) len() int { return q.active }

// push appends t to the list of its delay, making the list if there is none.
func (q *timerQueue) push(t *Timer) {
	q.active++
	if !t.unref() {
		q.refed++
	}
	tl := q.last
	if tl == nil || tl.delay != t.delay() || tl.index < 0 {
		if q.lists == nil {
			q.lists = map[time.Duration]*timerList{}
		}
		tl = q.lists[t.delay()]
		if tl == nil {
			q.ids++
			tl = &timerList{delay: t.delay(), expiry: t.deadline, id: q.ids}
			q.lists[t.delay()] = tl
			q.heap.push(tl)
		}
		q.last = tl
	}
	t.prev, t.next = tl.tail, nil
	if tl.tail == nil {
		tl.head = t
	} else {
		tl.tail.next = t
	}
	tl.tail = t
}

// next returns the list at the front of the queue, or nil.
func (q *timerQueue) next() *timerList {
	if q.heap.len() == 0 {
		return nil
	}
	return q.heap.top()
}

// expiry returns the earliest expiry of a list, which is when the timers phase next has work;
// ok is false when there are no lists.
func (q *timerQueue) expiry() (time.Duration, bool) {
	if q.heap.len() == 0 {
		return 0, false
	}
	return q.heap.top().expiry, true
}

// shift removes the first timer of tl, which first returned.
func (q *timerQueue) shift(tl *timerList) {
	t := tl.head
	tl.unlink(t)
	q.drop(t)
}

// drop counts an armed timer out of the queue's counts.
func (q *timerQueue) drop(t *Timer) {
	q.active--
	if !t.unref() {
		q.refed--
	}
}

// unlink takes an armed timer out of its list, to be armed again at the back (Refresh). The
// list stays, with its expiry, even if it is left empty, as Node's does when L.append moves a
// timer.
func (q *timerQueue) unlink(t *Timer) {
	q.lists[t.delay()].unlink(t)
	q.drop(t)
}

// rekey sets tl's expiry and gives it a new id.
func (q *timerQueue) rekey(tl *timerList, expiry time.Duration) {
	q.ids++
	tl.expiry, tl.id = expiry, q.ids
	q.heap.fix(tl.index)
}

// cancel takes an armed timer out of its list; a list left empty leaves the queue.
func (q *timerQueue) cancel(t *Timer) {
	q.drop(t)
	tl := q.lists[t.delay()]
	tl.unlink(t)
	if tl.head == nil {
		q.removeList(tl)
	}
}

func (q *timerQueue) removeList(tl *timerList) {
	if tl.index < 0 {
		return
	}
	delete(q.lists, tl.delay)
	q.heap.remove(tl.index)
}
