package loop

import (
	"errors"
	"runtime"
	"time"
)

// Options configure a Loop. The zero value is a virtual loop with a 4-thread pool, no trace and
// no limits.
type Options struct {
	// Backend supplies the clock, the threadpool and I/O. Nil means NewVirtual(VirtualConfig{}).
	Backend Backend
	// Recorder, if not nil, receives every loop event.
	Recorder *Recorder
	// MaxCallbacks stops the run with an error wrapping ErrLimit once this many callbacks have
	// run (timers, immediates, nextTicks, microtasks, I/O and close callbacks). 0: no limit.
	MaxCallbacks int
	// MaxTime stops the run with an error wrapping ErrLimit once the loop time passes it; poll
	// waits no longer than that. 0: no limit. The clock stops at EndOfTime, which passes any
	// limit.
	MaxTime time.Duration
	// Deadline stops the run with an error wrapping ErrLimit once the wall clock passes it,
	// whatever the backend's clock. The loop looks at the wall clock every 1024 callbacks and
	// whenever it updates the loop time; a real backend must be given the same deadline
	// (RealConfig.Deadline) so that a poll or a Busy returns by then. Zero: no deadline.
	Deadline time.Time
	// MaxPending stops the run once more callbacks than this wait to run: queued nextTicks,
	// microtasks and immediates, armed timers, tasks and requests in flight. It bounds the
	// memory a runaway program takes before MaxCallbacks could. 0: no limit.
	MaxPending int
	// MaxMemory stops the run once the heap's live objects take more than this many bytes,
	// looked at whenever the wall clock is. 0: no limit.
	MaxMemory uint64
	// BeforeWait, if not nil, is called when poll is about to wait for time to pass: a caller
	// that buffers what the callbacks print flushes it there, so that a long wait shows what
	// came before it.
	BeforeWait func()
	// Stop, once closed, stops the run as a guard does (LimitStop), looked at whenever the wall
	// clock is; a real backend given the same channel (RealConfig.Stop) wakes its poll and ends
	// a Busy. Nil: never.
	Stop <-chan struct{}
	// Done, if not nil, is called as Run ends, however it ends, still on the loop's thread: a
	// caller that runs coroutines on that thread (iter.Pull, which must switch on the thread
	// locking it was made with) ends them there.
	Done func()
	// Drained, if not nil, is called after a callback once its nextTick and microtask queues are
	// empty, as Node's processTicksAndRejections calls processPromiseRejections; it returns
	// whether it ran code that may have queued more, and the queues are then drained again.
	Drained func() (more bool)
}

// ErrLimit is wrapped by the error Run returns when a limit of Options stops a run.
var ErrLimit = errors.New("limit reached")

// A Loop is a Node.js-style event loop. Its methods must be called from the goroutine that calls
// Run (before Run, from its callbacks, or from main), never concurrently.
type Loop struct {
	clock  Clock
	poller Poller
	rec    *Recorder
	opts   Options

	time  time.Duration // the cached loop time (rule 9)
	tick  int           // the current iteration; 0 before the first
	phase Phase

	timers   timerQueue
	timerSrc sources[*Timer]
	immSrc   sources[*Immediate]

	immediates     immediateList // queued, in order
	liveImmediates int           // queued and neither run nor cleared
	records        records       // free timer and immediate records, for those without a handle

	ticks  fifo[callback] // process.nextTick
	micros fifo[callback] // queueMicrotask

	inflight int          // tasks and requests handed to the poller, not yet completed
	ops      uint64       // tasks and requests so far: their ids in the trace
	ready    []Completion // reused by poll
	finished []*Task      // reused by PoolReady

	closing, closingNow []callback // close callbacks queued, and the batch running

	callbacks int
	err       error
	ran       bool
	returned  bool // main's function has returned (see AfterMain)
	threw     bool // the running callback threw: see Threw
	owed      bool // a callback threw and its queues wait to be drained
}

// New returns a loop ready to Run.
func New(opts Options) *Loop {
	b := opts.Backend
	if b == nil {
		b = NewVirtual(VirtualConfig{})
	}
	if opts.MaxTime >= EndOfTime {
		opts.MaxTime = EndOfTime - 1 // a clock at its end has passed any limit
	}
	return &Loop{clock: b, poller: b, rec: opts.Recorder, opts: opts}
}

// Run runs main as the program's first callback, then the loop until nothing is alive, then
// closes the backend. It returns the first error passed to Fail, or an error wrapping ErrLimit.
// A loop runs once.
func (l *Loop) Run(main func()) (err error) {
	if l.ran {
		return errors.New("loop: Run called twice")
	}
	l.ran = true
	// The loop owns its thread while it runs, as libuv's does; the real poller's epoll_wait
	// blocks it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if l.opts.Done != nil {
		defer l.opts.Done()
	}
	defer func() {
		if cerr := l.poller.Close(); err == nil {
			err = cerr
		}
	}()

	l.phase = PhaseMain
	if l.enter() {
		main()
		l.returned = true
		l.drain()
		l.settleThrown()
	}
	l.updateTime()
	if l.alive() {
		l.runTimers()
	}
	for l.err == nil && l.alive() {
		l.tick++
		l.phase = PhaseNone
		l.trace(KindTick, nil, 0)
		// Pending callbacks, idle and prepare: nothing of looptest's runs there.
		l.poll()
		l.runCheck()
		l.runClosing()
		l.updateTime()
		l.runTimers()
	}
	return l.err
}

// alive reports whether anything can still run a callback: a timer that is not unref'd, an
// immediate, a task or request in flight, or a close callback.
func (l *Loop) alive() bool {
	return l.timers.refed > 0 || l.liveImmediates > 0 || l.inflight > 0 || len(l.closing) > 0
}

// pollTimeout says how long poll may wait, from the cached loop time: 0 when immediates or close
// callbacks are waiting (or nothing is alive), until the nearest timer when there is one,
// else Forever.
func (l *Loop) pollTimeout() time.Duration {
	switch {
	case l.liveImmediates > 0 || len(l.closing) > 0:
		return 0
	case l.timers.len() > 0:
		// The loop's time counts whole milliseconds, so a list due at a fraction of one is
		// due when the next whole one begins (Node's delays may be fractional; libuv's are not).
		expiry, _ := l.timers.expiry()
		return max(ceilMs(expiry)-l.time, 0)
	case l.inflight > 0:
		return Forever
	}
	return 0
}

func (l *Loop) updateTime() {
	now := l.clock.Now()
	l.time = wholeMs(now) // Node's loop time counts whole milliseconds (rule 7)
	if l.opts.MaxTime > 0 && now > l.opts.MaxTime {
		l.Fail(&LimitError{Limit: LimitTime, MaxTime: l.opts.MaxTime})
	}
	l.checkDeadline()
}

// poll waits for I/O as pollTimeout allows, then runs the callbacks of what completed, in the
// order it completed.
func (l *Loop) poll() {
	l.phase = PhasePoll
	until := Forever
	if d := l.pollTimeout(); d >= 0 {
		until = later(l.time, d)
	}
	if m := l.opts.MaxTime; m > 0 && (until == Forever || until > m) {
		until = m + 1 // wake just past MaxTime, to stop there
	}
	if l.opts.BeforeWait != nil && until > l.clock.Now() {
		l.opts.BeforeWait()
	}
	var before time.Duration
	if l.rec != nil {
		before = l.clock.Now()
	}
	ready, err := l.poller.Poll(until, l.ready[:0])
	l.ready = ready
	if err != nil {
		l.Fail(err)
	}
	l.updateTime()
	if l.rec != nil {
		for _, c := range l.ready {
			c.traceArrival(l.rec, l.tick)
		}
		l.record(KindPoll, nil, l.time-before)
	}
	for i, c := range l.ready {
		l.ready[i] = nil
		if l.err == nil {
			c.complete(l)
		}
	}
	l.settleThrown()
}

// PoolReady is what a Poll returns, in its place among the sockets, when tasks of the pool have
// finished: Node learns of them through one eventfd, so the pool is one source of poll, ready
// from the moment its first unreported task finished (rule 5). Handling it takes every task
// finished by then (Poller.Finished) and runs their callbacks in the order they finished.
var PoolReady Completion = poolReady{}

type poolReady struct{}

func (poolReady) traceArrival(*Recorder, int) {}

func (poolReady) complete(l *Loop) {
	tasks := l.poller.Finished(l.finished[:0])
	l.finished = tasks
	for i, t := range tasks {
		tasks[i] = nil
		if l.rec != nil {
			t.traceArrival(l.rec, l.tick)
		}
		if l.err == nil {
			t.complete(l)
		}
	}
}

// runCheck runs the immediates queued before it began; those they queue wait for the next
// iteration.
func (l *Loop) runCheck() {
	if l.immediates.head == nil {
		return
	}
	l.phase = PhaseCheck
	// When the last immediate of a batch threw (Threw), Node's processImmediate ends without
	// clearing its outstanding mark, so the check phase calls it again at once: the immediates
	// queued during the batch run now, as a batch of their own, and the thrower's queues wait
	// for the first of them.
	for first := true; first || l.owed && l.immediates.head != nil && l.err == nil; first = false {
		im := l.immediates.head
		l.immediates = immediateList{}
		for im != nil {
			next := im.next
			im.next = nil
			if !im.done && l.err == nil {
				im.done = true
				l.liveImmediates--
				l.traceImmediate(KindImmediateRun, im)
				l.call(im.fn)
			}
			if !im.kept {
				l.records.putImmediate(im) // no handle reaches it: reuse it
				delete(l.immSrc, im)
			}
			im = next
		}
	}
	l.settleThrown()
}

// runClosing runs the close callbacks queued before it began, the last closed first: libuv keeps
// closing handles in a stack (uv__make_close_pending, uv__run_closing_handles; rule 12).
func (l *Loop) runClosing() {
	if len(l.closing) == 0 {
		return
	}
	l.phase = PhaseClose
	batch := l.closing
	l.closing, l.closingNow = l.closingNow[:0], batch
	for i := len(batch) - 1; i >= 0; i-- {
		c := batch[i]
		batch[i] = callback{}
		if l.err == nil {
			l.trace(KindClose, c.src, 0)
			l.call(c.fn)
		}
	}
	l.settleThrown()
}

// call runs one callback from a phase, then drains the nextTick and microtask queues.
func (l *Loop) call(fn func()) {
	if l.enter() {
		fn()
		l.drain()
	}
}

// drain runs nextTicks until there are none, then microtasks until there are none, and again
// while either has work: a nextTick queued by a microtask waits for the microtasks to finish.
// Then Options.Drained, and again while it may have queued more. After a callback that threw
// (Threw), the queues are left as they are: they are drained after the next callback.
func (l *Loop) drain() {
	if l.threw {
		l.threw, l.owed = false, true
		return
	}
	l.owed = false
	for l.err == nil {
		for l.ticks.len() > 0 && (l.ticks.front().internal && l.err == nil || l.enter()) {
			c := l.ticks.pop()
			if !c.internal {
				l.trace(KindNextTickRun, c.src, 0)
			}
			c.fn()
			if l.threw { // the rest waits for the next callback, as after any callback that threw
				l.threw, l.owed = false, true
				return
			}
		}
		for l.micros.len() > 0 && l.enter() {
			c := l.micros.pop()
			l.trace(KindMicrotaskRun, c.src, 0)
			c.fn()
			l.threw = false // V8 goes on with the queue after a microtask that threw
		}
		if l.ticks.len() > 0 {
			continue
		}
		if l.opts.Drained == nil || l.err != nil || !l.opts.Drained() {
			return
		}
	}
}

// Threw says that the callback running now ended by throwing an exception that a listener took
// (Node's 'uncaughtException'): as Node skips the tick processing of a callback scope that
// failed, the nextTicks and microtasks it queued are not run at its end but after the next
// callback of its batch (the next timer of its list, the next immediate, the next I/O
// callback of the poll), or when the batch ends, before anything else runs.
func (l *Loop) Threw() { l.threw = true }

// settleThrown drains the queues that a callback which threw left, at the end of its batch.
func (l *Loop) settleThrown() {
	if l.owed && l.err == nil {
		l.drain()
	}
}

// enter counts a callback about to run, and reports whether it may: false once the run has
// failed or reached MaxCallbacks.
func (l *Loop) enter() bool {
	if l.err != nil {
		return false
	}
	l.callbacks++
	if max := l.opts.MaxCallbacks; max > 0 && l.callbacks > max {
		l.Fail(&LimitError{Limit: LimitCallbacks, MaxCallbacks: max})
		return false
	}
	if l.callbacks%deadlineEvery == 0 {
		l.checkDeadline()
		return l.err == nil
	}
	return true
}

// Fail stops the run: no callback runs after the current one, and Run returns err. Only the
// first error is kept.
func (l *Loop) Fail(err error) {
	if l.err == nil {
		l.err = err
	}
}

// SetImmediate queues cb for the check phase (Node's setImmediate), and returns its handle for
// ClearImmediate.
func (l *Loop) SetImmediate(src Source, cb func()) *Immediate {
	im := l.records.immediate()
	im.kept = true // the caller holds it: never reused
	l.queueImmediate(im, src, cb)
	return im
}

// QueueImmediate queues cb for the check phase as SetImmediate does, without a handle: nothing
// can clear it, so its record is reused once it has run, and queueing it allocates nothing in
// the steady state.
func (l *Loop) QueueImmediate(src Source, cb func()) {
	l.queueImmediate(l.records.immediate(), src, cb)
}

func (l *Loop) queueImmediate(im *Immediate, src Source, cb func()) {
	im.fn = cb
	l.immSrc.keep(l, im, src)
	l.immediates.push(im)
	l.liveImmediates++
	l.trace(KindImmediateQueued, src, 0)
	l.checkPending()
}

// ClearImmediate cancels im. Clearing one that ran or was cleared does nothing.
func (l *Loop) ClearImmediate(im *Immediate) {
	if im.done {
		return
	}
	im.done = true
	l.liveImmediates--
	l.traceImmediate(KindImmediateCleared, im)
}

// NextTick queues cb to run as soon as the current callback returns (process.nextTick).
func (l *Loop) NextTick(src Source, cb func()) {
	l.ticks.push(callback{src: src, fn: cb})
	l.trace(KindNextTickQueued, src, 0)
	l.checkPending()
}

// QueueMicrotask queues cb to run after the nextTick queue is empty (queueMicrotask).
func (l *Loop) QueueMicrotask(src Source, cb func()) {
	l.micros.push(callback{src: src, fn: cb})
	l.trace(KindMicrotaskQueued, src, 0)
	l.checkPending()
}

// Block holds the loop thread for d, like a busy loop in a callback. Under the virtual clock it
// moves the time by d; the cached loop time stays where it was.
func (l *Loop) Block(d time.Duration) {
	l.trace(KindBlock, nil, d)
	l.busy(d)
	l.checkDeadline()
}

// Spend holds the loop thread for d while the runtime does work of its own, which the trace
// records as k: KindStdout, Node.js setting stdout up on the first console.log of a process;
// KindHTTPSetup, its HTTP client on the first request; KindMainEnd, finishing main before the
// first line printed after it. Time passes as in Block, but the trace tells the runtime's work
// from the program's.
func (l *Loop) Spend(k Kind, d time.Duration) {
	l.trace(k, nil, d)
	l.busy(d)
}

// AfterMain reports whether main's function has returned and the loop has not begun: the
// nextTicks and microtasks main queued are running.
func (l *Loop) AfterMain() bool { return l.phase == PhaseMain && l.returned }

func (l *Loop) busy(d time.Duration) {
	l.clock.Busy(d)
	if l.opts.MaxTime > 0 && l.clock.Now() > l.opts.MaxTime {
		// A callback that blocks past MaxTime stops there, as one that runs past the
		// wall-clock deadline does.
		l.Fail(&LimitError{Limit: LimitTime, MaxTime: l.opts.MaxTime})
	}
}

// Log records text in the trace as the output of src. It prints nothing.
func (l *Loop) Log(src Source, text string) {
	if l.rec != nil {
		l.rec.add(Event{Time: l.clock.Now(), Tick: l.tick, Phase: l.phase, Thread: MainThread,
			Kind: KindLog, Source: src, Text: text})
	}
}

// Now returns the clock's time: fresh, unlike the cached loop time.
func (l *Loop) Now() time.Duration { return l.clock.Now() }

// sources are the sources that timer and immediate records were armed or queued with, kept
// beside them only while a Recorder listens: a source names its record in the trace and nowhere
// else, and leaving it out of the record shrinks the memory a million of them touch.
type sources[R comparable] map[R]Source

// keep notes src as r's source, if the loop records a trace.
func (m *sources[R]) keep(l *Loop, r R, src Source) {
	if l.rec == nil {
		return
	}
	if *m == nil {
		*m = sources[R]{}
	}
	(*m)[r] = src
}

// traceImmediate records an event of im, named by the source im was queued with.
func (l *Loop) traceImmediate(k Kind, im *Immediate) {
	if l.rec != nil {
		l.record(k, l.immSrc[im], 0)
	}
}

func (l *Loop) trace(k Kind, src Source, arg time.Duration) {
	if l.rec != nil {
		l.record(k, src, arg)
	}
}

func (l *Loop) record(k Kind, src Source, arg time.Duration) {
	l.rec.add(Event{Time: l.clock.Now(), Tick: l.tick, Phase: l.phase, Thread: MainThread,
		Kind: k, Source: src, Arg: arg})
}

// traceOp records an event of a task or request, with the operation's id.
func (l *Loop) traceOp(k Kind, src Source, arg time.Duration, id uint64) {
	if l.rec != nil {
		l.rec.add(Event{Time: l.clock.Now(), Tick: l.tick, Phase: l.phase, Thread: MainThread,
			Kind: k, Source: src, Arg: arg, ID: id})
	}
}
