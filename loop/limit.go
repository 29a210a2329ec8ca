package loop

import (
	"fmt"
	"runtime/metrics"
	"time"
)

// Limit names one of the runaway guards of Options.
type Limit uint8

// The runaway guards.
const (
	LimitCallbacks Limit = iota + 1 // Options.MaxCallbacks
	LimitTime                       // Options.MaxTime
	LimitDeadline                   // Options.Deadline
	LimitPending                    // Options.MaxPending
	LimitMemory                     // Options.MaxMemory
	LimitStop                       // Options.Stop
)

// A LimitError is what Run returns when a runaway guard of Options stops a run. It matches
// ErrLimit with errors.Is.
type LimitError struct {
	Limit        Limit
	MaxCallbacks int           // with LimitCallbacks: the limit
	MaxTime      time.Duration // with LimitTime: the limit
	MaxPending   int           // with LimitPending: the limit
	MaxMemory    uint64        // with LimitMemory: the limit, in bytes
}

func (e *LimitError) Error() string {
	switch e.Limit {
	case LimitCallbacks:
		return fmt.Sprintf("more than %d callbacks ran (MaxCallbacks)", e.MaxCallbacks)
	case LimitTime:
		return fmt.Sprintf("the loop time passed %v (MaxTime)", e.MaxTime)
	case LimitDeadline:
		return "the run went on past its wall-clock deadline (Deadline)"
	case LimitPending:
		return fmt.Sprintf("more than %d callbacks waited to run (MaxPending)", e.MaxPending)
	case LimitMemory:
		return fmt.Sprintf("the heap passed %d bytes (MaxMemory)", e.MaxMemory)
	case LimitStop:
		return "stopped from outside (Stop)"
	}
	return "limit reached"
}

// Is reports whether target is ErrLimit.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// deadlineEvery is how many callbacks run between two looks at the wall clock.
const deadlineEvery = 1024

// checkDeadline stops the run once the wall clock has passed Options.Deadline, the heap has
// passed Options.MaxMemory, or Options.Stop is closed. The loop calls it every deadlineEvery
// callbacks, in updateTime and after each Block; Check calls it too.
func (l *Loop) checkDeadline() {
	if !l.opts.Deadline.IsZero() && time.Now().After(l.opts.Deadline) {
		l.Fail(&LimitError{Limit: LimitDeadline})
	}
	if m := l.opts.MaxMemory; m > 0 && heapBytes() > m {
		l.Fail(&LimitError{Limit: LimitMemory, MaxMemory: m})
	}
	if stopped(l.opts.Stop) {
		l.Fail(&LimitError{Limit: LimitStop})
	}
}

// stopped reports whether stop is closed.
func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// heapSample reads the bytes of the heap's live objects (and of garbage not yet swept): cheap,
// no stop of the world.
var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func heapBytes() uint64 {
	metrics.Read(heapSample)
	return heapSample[0].Value.Uint64()
}

// checkPending stops the run once more callbacks wait than Options.MaxPending allows.
func (l *Loop) checkPending() {
	if m := l.opts.MaxPending; m > 0 && l.pending() > m {
		l.Fail(&LimitError{Limit: LimitPending, MaxPending: m})
	}
}

// pending counts the callbacks waiting to run.
func (l *Loop) pending() int {
	return l.ticks.len() + l.micros.len() + l.liveImmediates + l.timers.len() + l.inflight
}

// Err returns the error that stopped the run, or nil while it goes on. A callback that does much
// work in one go can look at it between pieces, cheaply.
func (l *Loop) Err() error { return l.err }

// Check looks at the guards of Options that the wall clock and the heap decide, and returns the
// error that stopped the run, if one has. The loop looks at them between callbacks; a callback
// that does much work in one go calls Check between its pieces, and returns once it reports an
// error.
func (l *Loop) Check() error {
	l.checkDeadline()
	return l.err
}

// A PanicError is the error a task gets when its Work panics: the loop goes on, and the task's
// Done decides what the panic means.
type PanicError struct {
	Value any    // what Work panicked with
	Stack []byte // the stack of the worker where it panicked
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic in a pool task: %v", e.Value) }

// A TimeoutError is the error of a Request whose socket was idle for its Timeout.
type TimeoutError struct {
	After time.Duration // the request's Timeout
}

func (e *TimeoutError) Error() string { return fmt.Sprintf("timeout: no response within %v", e.After) }

// Timeout reports true, as net.Error's Timeout does.
func (e *TimeoutError) Timeout() bool { return true }

// armTimeout arms the timer that fails r when its socket has been idle for Timeout: Node's
// socket timeout, armed (unref'd, as setUnrefTimeout arms it) when the request is made and
// refreshed when the socket connects, writes and reads (touch). It is a timer of the loop like
// any other: the failure runs in a timers phase.
func (l *Loop) armTimeout(r *Request) {
	r.timer = l.SetTimeout(r.Timeout, r.timeoutSrc(), func() { l.timeOut(r) })
	l.Unref(r.timer)
}

// A TimeoutOf is the source of the timer that enforces a request's Timeout: it names the
// request's own source.
type TimeoutOf struct{ Request Source }

func (t *TimeoutOf) String() string { return "timeout of " + t.Request.String() }

func (r *Request) timeoutSrc() Source { return &TimeoutOf{r.Source} }

// timeOut fails r at its deadline: the poller drops it and closes its connection, Done gets a
// *TimeoutError, and Closed is queued for the next close phase.
func (l *Loop) timeOut(r *Request) {
	r.timer, r.cancelled = nil, true
	l.poller.Cancel(r)
	l.inflight--
	r.Ready = l.clock.Now()
	r.resp, r.err = nil, &TimeoutError{After: r.Timeout}
	l.traceOp(KindResponseDone, r.Source, 0, r.id)
	if r.Done != nil {
		r.Done(nil, r.err)
	}
	if r.Closed != nil {
		l.closing = append(l.closing, callback{src: r.Source, fn: r.Closed})
	}
}
