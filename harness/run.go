package harness

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/looptest/looptest/internal/delay"
	"github.com/looptest/looptest/internal/ordering"
	"github.com/looptest/looptest/loop"
)

// RunOptions configure one run of a scenario.
type RunOptions struct {
	// Clock overrides the scenario's clock: "virtual" or "real"; "" keeps the scenario's.
	Clock string
	// Out receives the ordering: the log lines, one per line.
	Out io.Writer
	// Recorder, if not nil, receives every loop event.
	Recorder *loop.Recorder
	// Lines, if not nil, receives the ordering as Lines: each line with the time it was
	// printed and the step that printed it (a *Source).
	Lines *ordering.Lines
	// Limits are the runaway guards of the run; the zero value has none (DefaultLimits are the
	// command line's).
	Limits Limits
	// Perturb, if not nil, changes the durations of the run. It is called with every timeout,
	// interval, cost, delay and block as a step is about to use it (an http step's timeout is
	// left alone), and returns the duration to use instead (one below 0 counts as 0). It is also
	// called with Key "run" and 0 each time main or a callback returns: the duration it returns
	// is the time that callback took, spent as a block would be. Main's time is spread over its
	// steps: the call is also made (Main set, Step main's position) before each step that main
	// runs, a repeated step once per repeat, so that a timer armed later in main may start a
	// millisecond later, as Node.js reads the clock afresh at each setTimeout.
	Perturb func(t Timing, d time.Duration) time.Duration
	// Ties orders the completions due at one instant under the virtual clock.
	Ties loop.Ties
	// Stop, once closed, stops the run as a guard does (a *LimitError): what was printed stays,
	// the sandbox is removed, the delay server shut down. The command line closes it on SIGINT
	// and SIGTERM.
	Stop <-chan struct{}
}

// runner is the state of one run, shared by the compiled steps.
type runner struct {
	loop      *loop.Loop
	out       *bufio.Writer
	sandbox   *sandbox
	cur       *step          // the step whose callback is running; nil in main
	handles   []any          // the latest timer or immediate of each id
	callbacks []callbackSlot // per step that makes callbacks: the last one made
	perturb   func(Timing, time.Duration) time.Duration
	mainPos   Pos
	inMain    bool // main is running: its steps take a share of main's time when perturbed
	file      string
	lines     *ordering.Lines

	// Promises and async functions.
	fiber       *fiber          // the async function running now; nil outside one
	fibers      map[*fiber]bool // those started and not ended, stopped when the run ends
	rejections  rejectionTracker
	onRejection action  // the top-level unhandledRejection steps, if any
	onException action  // the top-level uncaughtException steps, if any
	thrownAt    *Source // the throw step that threw last
	inException bool    // the uncaughtException steps are running
	stdoutReady bool    // the first line has been printed: stdout is set up
	httpReady   bool    // the first request has been made: the HTTP client is set up
	mainEnded   bool    // a line was printed after main returned: MainEnd is spent
}

// A Timing names one duration of a run, one that real time could stretch: explore perturbs
// them (RunOptions.Perturb).
type Timing struct {
	Step Pos // the step it belongs to; for main's run, where the main key is
	// Key says what it is: timeout, interval or block (the step's value), cost or delay; or
	// "run", the time the step's callback (or main) takes to run, which is 0 unless perturbed;
	// or "stdout", the set-up of stdout by the run's first log (StdoutSetup); "main's end", the
	// time Node.js takes to finish main before the first line after it (MainEnd); or, for the
	// run's first request, "http" (HTTPSetup), "connect" (HTTPConnect) or "latency" (HTTPLatency).
	Key   string
	Timer bool // it is a timer's delay, which Node.js keeps exact
	Main  bool // it is main's run
	// SetUp says it is the runtime's own work, done once a run (stdout's set-up, the HTTP
	// client's, the first connect tick), which takes milliseconds more or fewer from one
	// machine to the next.
	SetUp bool
}

// ran is called as the callback of the step at pos (main's: pos is the main key) returns.
// Callbacks take no time, but when a run is perturbed they take what Perturb gives them, as a
// block would: real code takes time, and so does Node.js before its first iteration.
func (r *runner) ran(pos Pos) {
	if r.perturb == nil {
		return
	}
	if d := r.perturb(Timing{Step: pos, Key: "run", Main: pos == r.mainPos}, 0); d > 0 {
		r.loop.Block(d)
	}
}

// mainStep is called before each step of main runs: when perturbed, it spends that step's share
// of main's time.
func (r *runner) mainStep() {
	if r.perturb == nil || !r.inMain {
		return
	}
	if d := r.perturb(Timing{Step: r.mainPos, Key: "run", Main: true}, 0); d > 0 {
		r.loop.Block(d)
	}
}

// duration returns d as the run is to use it: perturbed, when exploring.
func (r *runner) duration(t Timing, d time.Duration) time.Duration {
	if r.perturb == nil {
		return d
	}
	return max(r.perturb(t, d), 0)
}

// callbackSlot is the callback a step last handed to the loop, and the frame it closes over.
type callbackSlot struct {
	e  *env
	fn func()
}

// StdoutSetup is how long the first line of a run takes to print, on top of the step that
// prints it: Node.js sets process.stdout up on the first console.log (it loads the stream
// machinery and opens the pipe, file or terminal), which took 6 to 8 ms of CPU with stdout a
// pipe, 4 to 5 ms to a file (testdata/probes/stdout-setup.cjs). So a timeout of up to 6 ms
// armed in main before the first log is due when the first iteration begins, and runs before
// the immediates of main, as it does in Node.js every time; one armed after it races them,
// and explore says so. It is the least time measured with stdout a pipe, as a test runner
// reads it, rounded down: less would move a timer armed after the first log closer to those
// armed before it than Node.js does (a 10 ms timer armed by a 10 ms one's first log ran after
// a 25 ms one in 20 of 20 runs, and 4 ms put it first).
const StdoutSetup = 6 * time.Millisecond

// MainEnd is how long the first line printed after main returns takes, on top of the step that
// prints it, when it is not the run's first line (which StdoutSetup covers): a line printed by
// a nextTick or a microtask that main queued, before the first iteration (rule 19). Node.js
// finishes running the main module and starts draining its queues first: from the last line of
// main to such a line took 0.4 to 0.8 ms, and from a timer armed in main to the first
// iteration, 0.9 to 1.3 ms with such a line and about 0.5 ms without
// (testdata/probes/main-end.cjs). So a timeout of 0 or 1 ms armed in main after the first log
// is due when the first iteration begins if a line is printed after main, as it was in 32 to 40
// runs of 40 in Node.js, and otherwise not, as in about half.
const MainEnd = 1 * time.Millisecond

// An HTTP request costs what Node.js spends on it (rule 18; testdata/probes/http-costs.cjs, with
// the server in another process, as the delay server is): the first of a run sets the client up
// and connects slowly, and every answer takes a round trip. Each is below the least time
// measured here on an idle machine, so that what they decide, Node.js decides the same way.
const (
	// HTTPSetup is how long the first http.get call takes, on the loop thread: Node.js sets its
	// HTTP client up lazily (the agent, the parser, the net module's connect path). It took 3.2
	// to 3.5 ms (the second call: 0.3 to 0.5 ms).
	HTTPSetup = 3 * time.Millisecond
	// HTTPConnect is how long the first request's connect tick takes, the nextTick after the
	// callback that made the request, in which Node.js connects the socket. It took 1.35 to 1.5
	// ms (the second request's: 0.53 to 0.62 ms).
	HTTPConnect = 1 * time.Millisecond
	// HTTPLatency is how much later than the delay server's delay a response arrives, counted
	// from the connect tick: the connection, the write, the server's turnaround in another
	// process and the read. With the server answering at once, the first response came 7 to
	// 11.5 ms after the get (2 ms and more after its connect tick), the second one 2.6 to 3.2 ms
	// after its get. Every request pays it, so requests answered after one delay keep the order
	// they were written in, as in Node.js.
	HTTPLatency = 2 * time.Millisecond
)

// setUpHTTP gives req its latency and, when it is the run's first request, spends the client's
// set-up and gives req the first connect tick's time. It reports false when the run stopped
// there (a bound on its time).
func (r *runner) setUpHTTP(pos Pos, req *loop.Request) bool {
	req.Latency = r.duration(Timing{Step: pos, Key: "latency"}, HTTPLatency)
	if r.httpReady {
		return true
	}
	r.httpReady = true
	r.loop.Spend(loop.KindHTTPSetup, r.duration(Timing{Step: pos, Key: "http", SetUp: true}, HTTPSetup))
	req.Connect = r.duration(Timing{Step: pos, Key: "connect", SetUp: true}, HTTPConnect)
	return r.loop.Err() == nil
}

// log prints a line of the ordering, written by the step that src names. The run's first line
// first takes StdoutSetup, as a block would, and the first line after main returns MainEnd.
// When the ordering cannot be written (a closed pipe, a full disk, a bound on its size), the
// run stops there with an *OutputError.
func (r *runner) log(src *Source, text string) {
	if r.loop.Err() != nil {
		return // the run has stopped (a guard, a failure): the steps left in its callback print nothing
	}
	switch {
	case !r.stdoutReady:
		r.stdoutReady = true
		r.mainEnded = r.mainEnded || r.loop.AfterMain() // the set-up covers main's end
		r.loop.Spend(loop.KindStdout, r.duration(Timing{Step: src.Pos, Key: "stdout", SetUp: true}, StdoutSetup))
	case !r.mainEnded && r.loop.AfterMain():
		r.mainEnded = true
		r.loop.Spend(loop.KindMainEnd, r.duration(Timing{Step: src.Pos, Key: "main's end"}, MainEnd))
	}
	if r.loop.Err() != nil {
		return
	}
	r.out.WriteString(text)
	if err := r.out.WriteByte('\n'); err != nil && r.loop.Err() == nil {
		r.loop.Fail(&OutputError{File: r.file, Err: err})
	}
	r.loop.Log(src, text)
	if r.lines != nil {
		r.lines.Print(text, r.loop.Now(), src)
	}
}

// An OutputError is the failure of a run whose ordering could not be written.
type OutputError struct {
	File string
	Err  error
}

func (e *OutputError) Error() string {
	return fmt.Sprintf("%s: stopped: the ordering could not be written: %v", e.File, e.Err)
}

func (e *OutputError) Unwrap() error { return e.Err }

// Run runs the scenario in a fresh sandbox directory, removed afterwards, and writes its ordering
// to opts.Out. It returns a *StepError when a step fails with no error steps (or its callback
// panics), a *LimitError when a runaway guard stops it, or the error of setting the run up.
func (s *Scenario) Run(opts RunOptions) (err error) {
	lim := opts.Limits
	var deadline time.Time
	if lim.MaxWall > 0 {
		deadline = time.Now().Add(lim.MaxWall)
	}
	clock := cmp.Or(opts.Clock, s.Clock)
	backend, err := s.backend(clock, opts.Ties, deadline, opts.Stop)
	if err != nil {
		return err
	}
	sb, err := newSandbox(s.Files)
	if err != nil {
		backend.Close()
		return fmt.Errorf("%s: %w", s.File, err)
	}
	defer sb.Close()

	out := bufio.NewWriterSize(cmp.Or[io.Writer](opts.Out, io.Discard), 64<<10)
	r := &runner{out: out, sandbox: sb, handles: make([]any, len(s.ids)), perturb: opts.Perturb, mainPos: s.mainPos, file: s.File, lines: opts.Lines}
	r.loop = loop.New(loop.Options{
		Backend:      backend,
		Recorder:     opts.Recorder,
		MaxCallbacks: lim.MaxCallbacks,
		MaxTime:      lim.MaxTime,
		Deadline:     deadline,
		MaxPending:   lim.MaxPending,
		MaxMemory:    uint64(max(lim.MaxMemory, 0)),
		Stop:         opts.Stop,
		BeforeWait:   func() { out.Flush() }, // what came before a wait shows during it
		Drained:      r.processRejections,
		Done:         r.stopFibers, // the async functions still waiting, on the thread they ran on
	})
	l := r.loop
	r.callbacks = make([]callbackSlot, s.slots)
	r.onRejection, r.onException = s.rejectionProgram, s.exceptionProgram
	defer func() {
		if p := recover(); p != nil {
			// The loop's own defers have closed the backend on the way: what is left is to
			// say which step's callback it was.
			err = s.panicked(r.cur, p)
		}
		if ferr := out.Flush(); err == nil && ferr != nil {
			err = &OutputError{File: s.File, Err: ferr}
		}
	}()
	err = l.Run(func() { r.inMain = true; s.program(r, nil); r.inMain = false; r.ran(s.mainPos) })
	return limitError(s.File, lim, err)
}

// panicked reports a panic in the callback of step st (nil: main) as that step's failure.
func (s *Scenario) panicked(st *step, p any) error {
	if st == nil {
		return &StepError{Pos: s.mainPos, Kind: "main", Err: fmt.Errorf("%v", p), Panicked: true, Stack: debug.Stack()}
	}
	return &StepError{Pos: st.pos, Kind: st.kind.name, Err: fmt.Errorf("%v", p), Panicked: true, Stack: debug.Stack()}
}

func (s *Scenario) backend(clock string, ties loop.Ties, deadline time.Time, stop <-chan struct{}) (loop.Backend, error) {
	switch clock {
	case "virtual":
		return loop.NewVirtual(loop.VirtualConfig{Threads: s.Threadpool, Serve: serveVirtual, Ties: ties}), nil
	case "real":
		return newRealBackend(s.Threadpool, deadline, stop)
	}
	return nil, fmt.Errorf("unknown clock %q: expected virtual or real", clock)
}

// serveVirtual answers a request under the virtual clock as the delay server would, from the
// reply the step asks for.
func serveVirtual(req *loop.Request) (time.Duration, *loop.Response, error) {
	reply, ok := req.Reply.(delay.Reply)
	if !ok {
		return 0, nil, fmt.Errorf("no reply to simulate for %s", req.Path)
	}
	// Faults fail as the real client fails against the delay server, with the same messages.
	switch reply.Fault {
	case delay.FaultRefuse:
		return 0, nil, loop.ErrConnRefused
	case delay.FaultReset:
		return reply.Delay, nil, loop.ErrConnReset
	case delay.FaultCloseMidBody:
		return reply.Delay, nil, loop.TruncatedError(len(reply.Body)/2, len(reply.Body))
	case delay.FaultHang:
		return loop.Forever, nil, nil
	}
	if noBody(reply.Status) && reply.Body != "" {
		return reply.Delay, nil, loop.ErrDataAfterClose // Node's parser refuses the body
	}
	return reply.Delay, &loop.Response{Status: reply.Status, Body: reply.Body}, nil
}

// noBody reports whether a response of this status may carry no body: 1xx, 204, 304.
func noBody(status int) bool {
	return status < 200 || status == 204 || status == 304
}
