package harness

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/looptest/looptest/delay"
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
	// MaxCallbacks stops a runaway run; 0 means DefaultMaxCallbacks.
	MaxCallbacks int
	// MaxTime stops a run whose loop time passes it; 0 means DefaultMaxTime.
	MaxTime time.Duration
	// Perturb, if not nil, changes the durations of the run: it is called with every timeout,
	// interval, cost, delay and block as a step is about to use it, with the step's place and the
	// key the duration belongs to, and returns the duration to use instead.
	Perturb func(step Pos, key string, d time.Duration) time.Duration
	// Ties orders the completions due at one instant under the virtual clock.
	Ties loop.Ties
}

// Defaults of the runaway guards: far beyond what an honest scenario needs.
const (
	DefaultMaxCallbacks = 100_000_000
	DefaultMaxTime      = 48 * time.Hour
)

// runner is the state of one run, shared by the compiled steps.
type runner struct {
	loop      *loop.Loop
	out       *bufio.Writer
	dir       string         // the sandbox
	handles   []any          // the latest timer or immediate of each id
	callbacks []callbackSlot // per step that makes callbacks: the last one made
	perturb   func(Pos, string, time.Duration) time.Duration
}

// duration returns d as the run is to use it: perturbed, when exploring.
func (r *runner) duration(pos Pos, key string, d time.Duration) time.Duration {
	if r.perturb == nil {
		return d
	}
	return max(r.perturb(pos, key, d), 0)
}

// callbackSlot is the callback a step last handed to the loop, and the frame it closes over.
type callbackSlot struct {
	e  *env
	fn func()
}

func (r *runner) log(text string) {
	r.out.WriteString(text)
	r.out.WriteByte('\n')
	r.loop.Log(text)
}

// Run runs the scenario in a fresh sandbox directory, removed afterwards, and writes its ordering
// to opts.Out. It returns a *StepError when a step fails with no error steps, an error wrapping
// loop.ErrLimit when a guard stops it, or the error of setting the run up.
func (s *Scenario) Run(opts RunOptions) (err error) {
	clock := cmp.Or(opts.Clock, s.Clock)
	backend, err := s.backend(clock, opts.Ties)
	if err != nil {
		return err
	}
	dir, err := s.sandbox()
	if err != nil {
		backend.Close()
		return err
	}
	defer os.RemoveAll(dir)

	out := bufio.NewWriterSize(cmp.Or[io.Writer](opts.Out, io.Discard), 64<<10)
	l := loop.New(loop.Options{
		Backend:      backend,
		Recorder:     opts.Recorder,
		MaxCallbacks: cmp.Or(opts.MaxCallbacks, DefaultMaxCallbacks),
		MaxTime:      cmp.Or(opts.MaxTime, DefaultMaxTime),
	})
	c := newCompiler()
	main := c.list(s.main)
	r := &runner{loop: l, out: out, dir: dir, handles: make([]any, len(s.ids)), perturb: opts.Perturb}
	r.callbacks = make([]callbackSlot, *c.slots)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: looptest panicked: %v", s.File, p)
		}
		if ferr := out.Flush(); err == nil && ferr != nil {
			err = ferr
		}
	}()
	err = l.Run(func() { main(r, nil) })
	if errors.Is(err, loop.ErrLimit) {
		err = fmt.Errorf("%s: stopped: %w", s.File, err)
	}
	return err
}

func (s *Scenario) backend(clock string, ties loop.Ties) (loop.Backend, error) {
	switch clock {
	case "virtual":
		return loop.NewVirtual(loop.VirtualConfig{Threads: s.Threadpool, Serve: serveVirtual, Ties: ties}), nil
	case "real":
		return newRealBackend(s.Threadpool)
	}
	return nil, fmt.Errorf("unknown clock %q: expected virtual or real", clock)
}

// serveVirtual answers a request under the virtual clock as the delay server would.
func serveVirtual(req *loop.Request) (time.Duration, *loop.Response, error) {
	reply, err := delay.ParseReply(func(name string) string {
		for _, h := range req.Header {
			if h[0] == name {
				return h[1]
			}
		}
		return ""
	})
	if err != nil {
		return 0, nil, err
	}
	return reply.Delay, &loop.Response{Status: reply.Status, Body: reply.Body}, nil
}

// sandbox makes a fresh directory holding the scenario's files.
func (s *Scenario) sandbox() (string, error) {
	dir, err := os.MkdirTemp("", "looptest-")
	if err != nil {
		return "", err
	}
	for _, f := range s.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
			err = os.WriteFile(p, []byte(f.Content), 0o644)
		}
		if err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("%s: writing file %s into the sandbox: %w", s.File, f.Path, err)
		}
	}
	return dir, nil
}
