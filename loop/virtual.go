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
	// ErrConnRefused fails the connection itself: the poll that handles the connection reports
	// it, and the delay is not used.
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
// A task's Work runs on the loop's goroutine when the task starts. A request connects when the
// loop asks (after the callback that made it), is written when its connection is handled in a
// poll, and is answered Serve's delay, plus its Latency, after that. Everything is deterministic.
type Virtual struct {
	now        time.Duration
	busy       []bool          // per worker
	queue      fifo[*Task]     // tasks waiting for a worker
	pending    minHeap[ioItem] // running tasks and written requests, by (ready time, submission)
	tasks      []*Task         // finished by the current time, not handed back yet
	responses  []*Request      // answered by the current time, waiting for a poll
	connecting []*Request      // connected, waiting for a poll to write them
	sources    []pollSource    // reused by Poll
	seq        uint64
	serve      func(*Request) (time.Duration, *Response, error)
	ties       Ties
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

// Busy moves the virtual time by d, up to EndOfTime.
func (v *Virtual) Busy(d time.Duration) { v.now = later(v.now, max(d, 0)) }

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

// settle brings the simulation up to time to: what is done by then moves to tasks or responses,
// and each worker freed at a time t takes the next queued task at t (or when that task was
// queued, if later).
func (v *Virtual) settle(to time.Duration) {
	for v.pending.len() > 0 && v.pending.top().at <= to {
		at := v.pending.top().at
		for v.pending.len() > 0 && v.pending.top().at == at {
			switch c := v.pending.pop().c.(type) {
			case *Task:
				v.busy[c.Worker] = false
				v.tasks = append(v.tasks, c)
			case *Request:
				v.responses = append(v.responses, c)
			}
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

// Get connects for r now; the next Poll hands the connection to the loop, which writes the
// request then (connected.complete).
func (v *Virtual) Get(r *Request) {
	v.seq++
	r.seq, r.Sent = v.seq, v.now
	v.connecting = append(v.connecting, r)
}

// write sends r at the current time: Serve says when it is answered. A delay of Forever means
// no answer ever comes: only the request's Timeout can end it. It reports whether the connection
// was refused instead (Serve's ErrConnRefused): r then holds its failure, ready now.
func (v *Virtual) write(r *Request) (refused bool) {
	r.Sent = v.now
	delay, resp, err := v.serve(r)
	if errors.Is(err, ErrConnRefused) {
		r.resp, r.err, r.Ready = nil, err, v.now
		return true
	}
	if delay == Forever {
		return false
	}
	r.resp, r.err = resp, err
	r.Ready = later(r.Sent, later(max(delay, 0), max(r.Latency, 0)))
	v.pending.push(ioItem{at: r.Ready, seq: r.seq, c: r})
	return false
}

// connected is a request whose connection attempt has an outcome: handling it in poll writes the
// request and refreshes its timeout, or, when the connection was refused, fails it there, as
// epoll reports a refusal in the first poll after the connect (rule 11).
type connected struct {
	v *Virtual
	r *Request
}

func (connected) traceArrival(*Recorder, int) {}
func (c connected) complete(l *Loop) {
	if c.r.cancelled {
		return
	}
	if c.v.write(c.r) {
		if l.rec != nil {
			c.r.traceArrival(l.rec, l.tick)
		}
		c.r.complete(l)
		return
	}
	l.touch(c.r)
}

// Cancel drops r, which the loop has marked cancelled: Poll skips it.
func (v *Virtual) Cancel(r *Request) {}

// isCancelled reports whether c is a request the loop has failed by its timeout.
func isCancelled(c Completion) bool {
	r, ok := c.(*Request)
	return ok && r.cancelled
}

// Finished hands back the tasks finished by now, in the order they finished (ties in submission
// order, or reversed with TiesReversed).
func (v *Virtual) Finished(done []*Task) []*Task {
	v.settle(v.now)
	slices.SortStableFunc(v.tasks, func(a, b *Task) int {
		return v.order(a.Finished, b.Finished, a.seq, b.seq)
	})
	done = append(done, v.tasks...)
	clear(v.tasks)
	v.tasks = v.tasks[:0]
	return done
}

// order compares two completions by ready time, ties by submission or, with TiesReversed, the
// other way round.
func (v *Virtual) order(at1, at2 time.Duration, seq1, seq2 uint64) int {
	if c := cmp.Compare(at1, at2); c != 0 {
		return c
	}
	if v.ties == TiesReversed {
		return cmp.Compare(seq2, seq1)
	}
	return cmp.Compare(seq1, seq2)
}

// Poll moves the time to the earlier of until and the first pending completion (never
// backwards; not at all while a connection waits to be handled), then returns the sources that
// are ready in the order they became ready: each connection and each response, and the pool as
// one source (PoolReady), ready when its first unreported task finished (rule 5). It fails with
// ErrWaitForever when until is Forever and nothing is pending.
func (v *Virtual) Poll(until time.Duration, done []Completion) ([]Completion, error) {
	for v.pending.len() > 0 && isCancelled(v.pending.top().c) {
		v.pending.pop() // a cancelled request does not wake the poll
	}
	target := until
	switch {
	case len(v.tasks) > 0 || len(v.responses) > 0 || len(v.connecting) > 0:
		target = v.now // something is ready already: no wait
	case v.pending.len() > 0 && (until == Forever || v.pending.top().at < until):
		target = v.pending.top().at
	}
	if target == Forever {
		return done, ErrWaitForever
	}
	v.now = min(max(v.now, target), EndOfTime)
	v.settle(v.now)

	// Reversed ties hold back what is due exactly when the wait ends.
	holdBack := v.ties == TiesReversed && until != Forever && until == v.now
	sources := v.sources[:0]
	for _, r := range v.connecting {
		if !r.cancelled {
			sources = append(sources, pollSource{r.Sent, r.seq, connected{v, r}})
		}
	}
	clear(v.connecting)
	v.connecting = v.connecting[:0]
	keep := v.responses[:0]
	for _, r := range v.responses {
		switch {
		case r.cancelled:
		case holdBack && r.Ready == v.now:
			keep = append(keep, r)
		default:
			sources = append(sources, pollSource{r.Ready, r.seq, r})
		}
	}
	clear(v.responses[len(keep):])
	v.responses = keep
	if len(v.tasks) > 0 {
		first := slices.MinFunc(v.tasks, func(a, b *Task) int { return v.order(a.Finished, b.Finished, a.seq, b.seq) })
		if !holdBack || first.Finished != v.now {
			sources = append(sources, pollSource{first.Finished, first.seq, PoolReady})
		}
	}
	slices.SortStableFunc(sources, func(a, b pollSource) int { return v.order(a.at, b.at, a.seq, b.seq) })
	for i, src := range sources {
		done = append(done, src.c)
		sources[i] = pollSource{}
	}
	v.sources = sources
	return done, nil
}

// pollSource is one source of a poll: a connection, a response, or the pool, ready at a time.
type pollSource struct {
	at  time.Duration
	seq uint64
	c   Completion
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
	t.Worker, t.Started, t.Finished = w, at, later(at, max(t.Cost, 0))
	t.run()
	v.pending.push(ioItem{at: t.Finished, seq: t.seq, c: t})
}

// run runs a task's work, its Job's or its Work, turning a panic into the task's error.
func (t *Task) run() {
	defer func() {
		if p := recover(); p != nil {
			t.result, t.err = nil, &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	switch {
	case t.Job != nil:
		t.err = t.Job.Work()
	case t.Work != nil:
		t.result, t.err = t.Work()
	}
}

// ioItem is a task or request that will be ready at a time.
type ioItem struct {
	at  time.Duration
	seq uint64
	c   Completion
}

func (a ioItem) less(b ioItem) bool { return a.at < b.at || a.at == b.at && a.seq < b.seq }
func (ioItem) setIndex(int)         {}
