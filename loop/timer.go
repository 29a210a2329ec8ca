package loop

import "time"

// minDelay is the shortest delay a timer can have: as in Node.js, a timeout or interval below
// 1 ms runs as 1 ms.
const minDelay = time.Millisecond

// A Timer is a timeout or an interval. Timers are ordered by (deadline, seq): seq comes from a
// per-loop counter taken when the timer is armed, so timers with equal deadlines fire in the
// order they were armed.
type Timer struct {
	label    string
	cb       func()
	deadline time.Duration
	seq      uint64
	period   time.Duration // > 0 for an interval
	index    int           // position in the heap; -1 when not in it
	cleared  bool
}

// SetTimeout arms a timer that runs cb once, delay after now (Node's setTimeout).
func (l *Loop) SetTimeout(delay time.Duration, label string, cb func()) *Timer {
	t := &Timer{label: label, cb: cb}
	l.arm(t, l.clock.Now()+max(delay, minDelay))
	return t
}

// SetInterval arms a timer that runs cb every period until it is cleared (Node's setInterval).
func (l *Loop) SetInterval(period time.Duration, label string, cb func()) *Timer {
	period = max(period, minDelay)
	t := &Timer{label: label, cb: cb, period: period}
	l.arm(t, l.clock.Now()+period)
	return t
}

// ClearTimer cancels t: it will not fire again, even if it is due in the current timers phase.
// Clearing a timer that fired or was cleared does nothing.
func (l *Loop) ClearTimer(t *Timer) {
	if t.cleared {
		return
	}
	t.cleared = true
	if t.index >= 0 {
		l.timers.remove(t.index)
	}
	l.trace(KindTimerCleared, t.label, 0)
}

func (l *Loop) arm(t *Timer, deadline time.Duration) {
	l.seq++
	t.deadline, t.seq = deadline, l.seq
	l.timers.push(t)
	l.trace(KindTimerArmed, t.label, deadline)
}

// runTimers runs the timers that are due at the cached loop time. They are all collected first,
// so a timer armed by one of these callbacks waits for a later timers phase.
func (l *Loop) runTimers() {
	l.phase = PhaseTimers
	due := l.due[:0]
	for len(l.timers) > 0 && l.timers[0].deadline <= l.time {
		due = append(due, l.timers.pop())
	}
	for i, t := range due {
		due[i] = nil
		if !t.cleared && l.err == nil {
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
	t.cb()
	if t.period > 0 && !t.cleared {
		l.arm(t, start+t.period)
	} else {
		t.cleared = true
	}
	l.drain()
}

// timerHeap is a binary min-heap of timers ordered by (deadline, seq), each timer's index kept
// current so that a cleared timer is removed in O(log n).
type timerHeap []*Timer

func (h timerHeap) less(i, j int) bool {
	a, b := h[i], h[j]
	return a.deadline < b.deadline || a.deadline == b.deadline && a.seq < b.seq
}

func (h timerHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *timerHeap) push(t *Timer) {
	t.index = len(*h)
	*h = append(*h, t)
	h.up(t.index)
}

func (h *timerHeap) pop() *Timer {
	return h.remove(0)
}

func (h *timerHeap) remove(i int) *Timer {
	old := *h
	n := len(old) - 1
	t := old[i]
	if i != n {
		old.swap(i, n)
		if !old[:n].down(i) {
			old[:n].up(i)
		}
	}
	old[n] = nil
	*h = old[:n]
	t.index = -1
	return t
}

func (h timerHeap) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if !h.less(j, i) {
			break
		}
		h.swap(i, j)
		j = i
	}
}

// down moves element i down and reports whether it moved.
func (h timerHeap) down(i0 int) bool {
	i, n := i0, len(h)
	for {
		j := 2*i + 1
		if j >= n {
			break
		}
		if r := j + 1; r < n && h.less(r, j) {
			j = r
		}
		if !h.less(j, i) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}
