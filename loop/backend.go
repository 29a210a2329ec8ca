package loop

import "time"

// Forever, as the deadline of a poll, means: wait until I/O arrives.
const Forever time.Duration = -1

// A Clock tells the loop the time.
type Clock interface {
	// Now returns the time since the loop started. It never goes backwards.
	Now() time.Duration
	// Busy holds the loop thread for d, as a busy loop in a callback would.
	Busy(d time.Duration)
}

// A Poller runs the work the loop hands out, pool tasks and HTTP requests, and hands back their
// completions when the loop polls.
type Poller interface {
	// Submit hands a task to the threadpool. The poller sets the task's Worker and Started when
	// the task starts, Finished when it finishes, and returns it from a later Poll.
	// It reports whether the task started before Submit returned (Worker and Started set);
	// otherwise they are set on the worker's thread, and only Poll hands them to the loop.
	Submit(t *Task) (started bool)
	// Get connects for an HTTP GET, writes the request once connected, and returns the request
	// from a later Poll when the response (or a failure) has come.
	Get(r *Request)
	// Finished appends to done the tasks that have finished and that it has not handed back
	// yet, in the order they finished, and returns the extended slice: what handling PoolReady
	// takes.
	Finished(done []*Task) []*Task
	// Cancel abandons a request that has not completed, which the loop has failed itself (its
	// Timeout passed): the poller closes its connection and never returns it from Poll.
	Cancel(r *Request)
	// Poll waits until a completion is ready or the clock reaches until, whichever is first;
	// Forever means no time limit, and an until at or before the current time means no wait.
	// It appends every source of completions that is ready to done, in the order they became
	// ready, and returns the extended slice: a request, or PoolReady for the pool, which is one
	// source however many of its tasks have finished (rule 5).
	// A non-nil error means the poller cannot wait any more (epoll_wait failed, say): the loop
	// fails the run with it, and runs no callback of what was appended.
	Poll(until time.Duration, done []Completion) ([]Completion, error)
	// Close releases the poller's threads and descriptors. Work still in flight is abandoned.
	Close() error
}

// A Backend is the clock and the poller of one loop. They come as a pair because a virtual poller
// moves its virtual clock.
type Backend interface {
	Clock
	Poller
}

// A Completion is a source that Poll found ready, which the loop handles in poll: a *Request
// whose response came or that failed, PoolReady for the pool, or, under the virtual clock, a
// request whose connection is up and is to be written. A *Task is one too: PoolReady handles
// each finished task through it.
type Completion interface {
	traceArrival(rec *Recorder, tick int) // records what happened off the loop thread
	complete(l *Loop)                     // runs the callback
}

// A Task is a unit of work for the threadpool, like a file read or a CPU job in libuv.
type Task struct {
	Source Source                      // what the task is for: it names the task in the trace
	Cost   time.Duration               // how long the task holds its worker, at least
	Work   func() (any, error)         // runs on a worker thread
	Done   func(result any, err error) // runs on the loop thread, in poll
	// Job, if not nil, runs in place of Work and Done: a caller that submits many tasks embeds
	// the Task in a job of its own, so that each costs one allocation, not a Task and two
	// closures.
	Job Job

	// Set by the poller, for the trace and for Done.
	Worker   int           // the worker that ran the task: pool0 is 0
	Queued   time.Duration // when the task was submitted
	Started  time.Duration // when a worker took it
	Finished time.Duration // when the worker was done with it

	result      any
	err         error
	seq         uint64
	id          uint64 // links its events in the trace
	startTraced bool
}

// A Job is the work of a Task and what becomes of it, in one object (Task.Job).
type Job interface {
	// Work runs on a worker thread, as Task.Work; a job keeps its own result.
	Work() error
	// Done runs on the loop thread, in poll, as Task.Done, with the error of Work (a
	// *PanicError if it panicked).
	Done(err error)
}

// A Request is an HTTP GET made from the loop.
type Request struct {
	Source Source                 // what the request is for: it names the request in the trace
	Path   string                 // the request target, starting with /
	Header [][2]string            // extra request headers, name and value, sent in order
	Done   func(*Response, error) // runs on the loop thread, in poll
	Closed func()                 // optional; runs in the close phase once the connection is closed
	// Addr, if not empty, is the host:port to connect to instead of the backend's peer; the
	// real backend allows loopback addresses only, the virtual one ignores it.
	Addr string
	// Timeout, if positive, is Node's socket timeout: it fails the request with a
	// *TimeoutError when its socket has been idle this long. It is armed when the request is
	// made and refreshed (Loop.Refresh) when the connection is up, when the request is written
	// and at each read, so it counts from the last of them. A timer of the loop enforces it, so
	// Done then runs in the timers phase; the connection is closed and Closed runs in the next
	// close phase.
	Timeout time.Duration
	// Reply is what a simulated peer is to answer: the virtual backend hands the request to its
	// Serve function, which reads it; the real backend sends Header and ignores it.
	Reply any
	// Connect is how long the connect tick holds the loop thread, as a runtime setting its
	// network stack up on the first connection of a process does.
	Connect time.Duration
	// Latency is what the virtual backend adds to Serve's delay: the time the connection and the
	// peer take to answer on top of the delay asked for. A real backend spends it for real and
	// ignores it. A refused connection does not wait for it.
	Latency time.Duration

	// Set by the poller.
	Sent  time.Duration // when the request was made
	Ready time.Duration // when the response (or the failure) arrived

	resp      *Response
	err       error
	seq       uint64
	id        uint64 // links its events in the trace
	timer     *Timer // enforces Timeout
	cancelled bool   // failed by its timeout: the poller must drop it
}

// A Response is what an HTTP request got back.
type Response struct {
	Status int
	Body   string
}
