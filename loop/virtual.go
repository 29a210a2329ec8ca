package loop

import (
	"cmp"
	"errors"
	"runtime/debug"
	"slices"
	"time"
)

// VirtualConfig configures a Virtual backend.
type VirtualConfig struct {
	// Threads is the size of the simulated threadpool; 0 means 4.
	Threads int
	// Serve answers the simulated HTTP requests: how long after the request the response is
	// ready, and the response or the failure. Nil answers every request at once with 200 OK.
	Serve func(*Request) (delay time.Duration, resp *Response, err error)
	// Ties orders the completions due at one instant. A real clock has no exact ties, so either
	// order can happen there; exploring both shows whether an ordering hinges on one.
	Ties Ties
}

// Ties says how a virtual backend orders completions that are due at the same instant.
type Ties uint8

const (
	// TiesInOrder delivers completions due together in the order they were submitted, and a
	// completion due exactly at a timer's deadline in the poll before that timer runs.
	TiesInOrder Ties = iota
	// TiesReversed delivers completions due together in the reverse order, and holds back a
	// completion due exactly when the poll's wait ends until the next poll, after the timers.
	TiesReversed
)

// Virtual is a backend whose time moves only when the loop would wait, and by Busy. Its pool is
// simulated: a task starts on the lowest-numbered free worker or waits in a FIFO queue, and
// finishes at its start plus its cost; a worker freed at time t takes the next queued task at t.
// A task's Work runs on the loop's goroutine when the task starts. Everything is deterministic.
type Virtual struct {
	now     time.Duration
	busy    []bool          // per worker
	queue   fifo[*Task]     // tasks waiting for a worker
	pending minHeap[ioItem] // running tasks and requests, by (ready time, submission)
	due     []Completion    // done by the current time, waiting for a poll to hand them back
	seq     uint64
	serve   func(*Request) (time.Duration, *Response, error)
	ties    Ties
}

// NewVirtual returns a virtual backend at time 0.
func NewVirtual(cfg VirtualConfig) *Virtual {
	n := cfg.Threads
	if n <= 0 {
		n = 4
	}
	serve := cfg.Serve
	if serve == nil {
		serve = func(*Request) (time.Duration, *Response, error) { return 0, &Response{200, "OK"}, nil }
	}
	return &Virtual{busy: make([]bool, n), serve: serve, ties: cfg.Ties}
}

// Now returns the virtual time.
func (v *Virtual) Now() time.Duration { return v.now }

// Busy moves the virtual time by d.
func (v *Virtual) Busy(d time.Duration) { v.now += max(d, 0) }

// Submit starts t on the lowest-numbered free worker, or queues it.
// It reports whether the task started at once.
func (v *Virtual) Submit(t *Task) (started bool) {
	v.settle(v.now) // a worker may have finished while the loop blocked
	v.seq++
	t.seq, t.Queued = v.seq, v.now
	if w := v.freeWorker(); w >= 0 {
		v.start(t, w, v.now)
		return true
	}
	v.queue.push(t)
	return false
}

// settle brings the simulation up to time to: what is done by then moves to due, and each worker
// freed at a time t takes the next queued task at t (or when that task was queued, if later).
func (v *Virtual) settle(to time.Duration) {
	for v.pending.len() > 0 && v.pending.top().at <= to {
		at := v.pending.top().at
		for v.pending.len() > 0 && v.pending.top().at == at {
			it := v.pending.pop()
			if t, ok := it.c.(*Task); ok {
				v.busy[t.Worker] = false
			}
			v.due = append(v.due, it.c)
		}
		for v.queue.len() > 0 {
			w := v.freeWorker()
			if w < 0 {
				break
			}
			t := v.queue.pop()
			v.start(t, w, max(at, t.Queued))
		}
	}
}

// Get asks Serve for the response, which is ready after the delay Serve says. A delay of
// Forever means no response ever comes: only the request's Timeout can end it.
func (v *Virtual) Get(r *Request) {
	v.seq++
	r.seq, r.Sent = v.seq, v.now
	delay, resp, err := v.serve(r)
	if delay == Forever {
		return
	}
	r.resp, r.err = resp, err
	r.Ready = r.Sent + max(delay, 0)
	v.pending.push(ioItem{at: r.Ready, seq: r.seq, c: r})
}

// Cancel drops r, which the loop has marked cancelled: Poll skips it.
func (v *Virtual) Cancel(r *Request) {}

// isCancelled reports whether c is a request the loop has failed by its timeout.
func isCancelled(c Completion) bool {
	r, ok := c.(*Request)
	return ok && r.cancelled
}

// Poll moves the time to the earlier of until and the first pending completion (never backwards),
// then returns everything that is ready, by ready time, ties in submission order. It fails with
// ErrWaitForever when until is Forever and nothing is pending.
func (v *Virtual) Poll(until time.Duration, done []Completion) ([]Completion, error) {
	for v.pending.len() > 0 && isCancelled(v.pending.top().c) {
		v.pending.pop() // a cancelled request does not wake the poll
	}
	target := until
	switch {
	case len(v.due) > 0:
		target = v.now // something is ready already: no wait
	case v.pending.len() > 0 && (until == Forever || v.pending.top().at < until):
		target = v.pending.top().at
	}
	if target == Forever {
		return done, ErrWaitForever
	}
	v.now = max(v.now, target)
	v.settle(v.now)
	slices.SortStableFunc(v.due, func(a, b Completion) int {
		if c := cmp.Compare(readyAt(a), readyAt(b)); c != 0 || v.ties != TiesReversed {
			return cmp.Or(c, cmp.Compare(seqOf(a), seqOf(b)))
		}
		return cmp.Compare(seqOf(b), seqOf(a))
	})
	// Reversed ties hold back what is due exactly when the wait ends.
	holdBack := v.ties == TiesReversed && until != Forever && until == v.now
	keep := v.due[:0]
	for _, c := range v.due {
		switch {
		case isCancelled(c):
		case holdBack && readyAt(c) == v.now:
			keep = append(keep, c)
		default:
			done = append(done, c)
		}
	}
	clear(v.due[len(keep):])
	v.due = keep
	return done, nil
}

// ErrWaitForever is the error of a virtual poll told to wait with no time limit while nothing is
// pending: no completion could ever end the wait, as with a request that never gets a response
// and has no Timeout.
var ErrWaitForever = errors.New("virtual poll would wait forever: nothing is pending")

// Close does nothing: a virtual backend holds no resources.
func (v *Virtual) Close() error { return nil }

func (v *Virtual) freeWorker() int {
	for w, b := range v.busy {
		if !b {
			return w
		}
	}
	return -1
}

func (v *Virtual) start(t *Task, w int, at time.Duration) {
	v.busy[w] = true
	t.Worker, t.Started, t.Finished = w, at, at+max(t.Cost, 0)
	t.result, t.err = runWork(t.Work)
	v.pending.push(ioItem{at: t.Finished, seq: t.seq, c: t})
}

// runWork runs a task's work, turning a panic into the task's error.
func runWork(work func() (any, error)) (result any, err error) {
	if work == nil {
		return nil, nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	return work()
}

func readyAt(c Completion) time.Duration {
	switch c := c.(type) {
	case *Task:
		return c.Finished
	case *Request:
		return c.Ready
	}
	return 0
}

func seqOf(c Completion) uint64 {
	switch c := c.(type) {
	case *Task:
		return c.seq
	case *Request:
		return c.seq
	}
	return 0
}

// ioItem is a task or request that will be ready at a time.
type ioItem struct {
	at  time.Duration
	seq uint64
	c   Completion
}

func (a ioItem) less(b ioItem) bool { return a.at < b.at || a.at == b.at && a.seq < b.seq }
func (ioItem) setIndex(int)         {}
