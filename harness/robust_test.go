package harness

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/looptest/looptest/internal/lttest"
	"github.com/looptest/looptest/loop"
)

// clocks are the clocks a test of orderings runs under: the real one only on Linux, and only
// when the tests that depend on real time run (lttest.RealTime).
func clocks(t *testing.T) []string {
	if runtime.GOOS != "linux" || !lttest.RealTime() {
		return []string{"virtual"}
	}
	return []string{"virtual", "real"}
}

// bothClocks are the clocks of a test whose assertions hold whatever the timing (nothing left
// behind, a message's wording): the real one on Linux, except with -short.
func bothClocks(t *testing.T) []string {
	if runtime.GOOS != "linux" || testing.Short() {
		return []string{"virtual"}
	}
	return []string{"virtual", "real"}
}

// runUnder loads src and runs it under clock, returning its ordering and error.
func runUnder(t *testing.T, clock, src string, opts RunOptions) (string, error) {
	t.Helper()
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	var out bytes.Buffer
	opts.Clock, opts.Out = clock, &out
	err = s.Run(opts)
	return out.String(), err
}

// TestFaultsReachErrorSteps checks that every kind of failure reaches the step's error steps
// with the same message under both clocks: no port, no temporary path.
func TestFaultsReachErrorSteps(t *testing.T) {
	const src = `
files: {dir/a.txt: hello}
main:
  - read: missing.txt
    error: [{log: "read: ${error}"}]
  - read: dir
    error: [{log: "read dir: ${error}"}]
  - read: dir/a.txt/x
    error: [{log: "read under a file: ${error}"}]
  - http: /refused
    respond: {fault: refuse}
    error: [{log: "refuse: ${error}"}]
  - http: /reset
    delay: 50ms
    respond: {fault: reset}
    error: [{log: "reset: ${error}"}]
  - http: /cut
    delay: 200ms
    respond: {status: 200, body: "0123456789", fault: close-mid-body}
    error: [{log: "close-mid-body: ${error}"}]
  - http: /slow
    delay: 5s
    timeout: 300ms
    error: [{log: "slow: ${error}"}]
    closed: [{log: "slow: closed"}]
  - http: /hang
    timeout: 400ms
    respond: {fault: hang}
    error: [{log: "hang: ${error}"}]
  - http: /in-time
    delay: 100ms
    timeout: 1s
    as: res
    then: [{log: "in time: ${res.status} ${res.body}"}]
`
	// The refusal comes at once; the reads take their cost, 1ms, then fail at their open, or,
	// for the directory, at their read, after the open and the fstat (rule 10).
	want := `refuse: connect ECONNREFUSED
read: ENOENT: no such file or directory, open 'missing.txt'
read under a file: ENOTDIR: not a directory, open 'dir/a.txt/x'
read dir: EISDIR: illegal operation on a directory, read
reset: read ECONNRESET
in time: 200 OK
close-mid-body: aborted
slow: timeout: no response within 300ms
slow: closed
hang: timeout: no response within 400ms
`
	for _, clock := range clocks(t) {
		t.Run(clock, func(t *testing.T) {
			got, err := runUnder(t, clock, src, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			// Under the real clock, the reads and the refusal race each other at time 0: compare
			// those as a set, the rest in order.
			gotLines, wantLines := strings.Split(got, "\n"), strings.Split(want, "\n")
			if clock == "real" && len(gotLines) == len(wantLines) {
				slices.Sort(gotLines[:4])
				slices.Sort(wantLines[:4])
			}
			if !slices.Equal(gotLines, wantLines) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestSandboxRefusesWaysOut checks that reads whose path is made at run time cannot leave the
// sandbox: not by .., not by an absolute path, not through a symbolic link inside it.
func TestSandboxRefusesWaysOut(t *testing.T) {
	testHookSandbox = func(dir string) {
		for name, target := range map[string]string{"out": "/etc/hostname", "up": "..", "in": "a.txt"} {
			if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(func() { testHookSandbox = nil })
	for _, path := range []string{"../a.txt", "/etc/hostname", "out", "up/a.txt", "up", "in"} {
		src := fmt.Sprintf(`
files: {a.txt: inside}
main:
  - http: /x
    respond: {body: %q}
    as: res
    then:
      - read: ${res.body}
        as: text
        then: [{log: "read ${text}"}]
        error: [{log: "${error}"}]
`, path)
		got, err := runUnder(t, "virtual", src, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"../a.txt":      "the path must stay inside the sandbox (no ..), open '../a.txt'\n",
			"/etc/hostname": "the path must be relative to the sandbox, open '/etc/hostname'\n",
			"out":           "the path leads out of the sandbox through a symbolic link, open 'out'\n",
			"up/a.txt":      "the path leads out of the sandbox through a symbolic link, open 'up/a.txt'\n",
			"up":            "the path leads out of the sandbox through a symbolic link, open 'up'\n",
			"in":            "read inside\n", // a link that stays inside is followed
		}[path]
		if got != want {
			t.Errorf("read %s: got %q, want %q", path, got, want)
		}
	}
}

// TestLimitsNameTheirFlag checks that each runaway guard stops a run with a message that names
// the flag, and that what was printed before stays.
func TestLimitsNameTheirFlag(t *testing.T) {
	const forever = `
main:
  - interval: 100
    id: ticker
    then: [{log: tick}]
  - timeout: 24h
    then: [{clear: ticker}]
`
	tests := []struct {
		clock string
		opts  RunOptions
		want  string
	}{
		{"virtual", RunOptions{Limits: Limits{MaxCallbacks: 4}}, "t.yaml: stopped after 4 callbacks (limit: --max-callbacks=4)"},
		{"virtual", RunOptions{Limits: Limits{MaxTime: 350 * time.Millisecond}}, "t.yaml: stopped: the loop time passed 350ms (limit: --max-time=350ms)"},
		{"real", RunOptions{Limits: Limits{MaxWall: 350 * time.Millisecond}}, "t.yaml: stopped: the run took longer than 350ms of real time (limit: --max-wall=350ms)"},
	}
	for _, tt := range tests {
		if !slices.Contains(clocks(t), tt.clock) {
			continue
		}
		got, err := runUnder(t, tt.clock, forever, tt.opts)
		var le *LimitError
		if !errors.As(err, &le) || !errors.Is(err, loop.ErrLimit) || err.Error() != tt.want {
			t.Errorf("%+v: err = %v, want %q", tt.opts, err, tt.want)
		}
		if got != "tick\ntick\ntick\n" {
			t.Errorf("%+v: ordering so far %q, want three ticks", tt.opts, got)
		}
	}
	// A flood of queued callbacks stops at MaxPending, a heap over MaxMemory at that guard, and a
	// callback of ten million repeats at the wall clock, looked at between its repeats.
	const flood = "main:\n  - log: flood\n  - nextTick:\n    repeat: 10000000\n"
	const long = "main:\n  - log: long\n  - log: x\n    repeat: 10000000\n"
	for _, tt := range []struct {
		src  string
		opts RunOptions
		want string
	}{
		{flood, RunOptions{Limits: Limits{MaxPending: 1000}}, "t.yaml: stopped: more than 1000 callbacks waited to run (limit: --max-pending=1000)"},
		{flood, RunOptions{Limits: Limits{MaxMemory: 1 << 20}}, "t.yaml: stopped: looptest's heap passed 1 MiB (limit: --max-memory=1)"},
		{long, RunOptions{Limits: Limits{MaxWall: time.Millisecond}}, "t.yaml: stopped: the run took longer than 1ms of real time (limit: --max-wall=1ms)"},
	} {
		got, err := runUnder(t, "virtual", tt.src, tt.opts)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%+v: err = %v, want %q", tt.opts.Limits, err, tt.want)
		}
		if !strings.HasPrefix(got, "flood\n") && !strings.HasPrefix(got, "long\n") {
			t.Errorf("%+v: the ordering so far is lost: %.40q", tt.opts.Limits, got)
		}
	}
	// Zero is no limit: only the limit that is set stops the run.
	s, err := Parse("t.yaml", []byte(forever))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(RunOptions{Limits: Limits{MaxTime: time.Hour}}); err == nil || !strings.Contains(err.Error(), "--max-time=1h0m0s") {
		t.Errorf("with no callback limit: %v, want --max-time=1h0m0s", err)
	}
}

// withPanicKinds adds two step kinds to the table for the length of the test: panicNow panics
// in the action that runs it, panicTask submits a pool task that panics. They are looptest's
// own bugs, as a panic can only be.
func withPanicKinds(t *testing.T) {
	withKinds(t,
		&kind{name: "panicNow", value: "empty", decode: decodeEmpty,
			compile: func(c *compiler, s *step) action {
				return func(*runner, *env) { panic("boom in a callback") }
			}},
		&kind{name: "panicTask", value: "empty", keys: []*key{keyThen, keyError}, decode: decodeEmpty,
			compile: func(c *compiler, s *step) action {
				out := c.outcome(s)
				return func(r *runner, e *env) {
					r.loop.Submit(&loop.Task{Source: loop.Label("panicTask"), Cost: 10 * time.Millisecond,
						Work: func() (any, error) { panic("boom in a task") },
						Done: func(_ any, err error) { out(r, e, value{}, err) }})
				}
			}})
}

func TestPanicsFailTheirStep(t *testing.T) {
	withPanicKinds(t)
	tests := []struct {
		name, src, want, ordering string
	}{{
		name: "in a callback",
		src: `main:
  - log: before
  - timeout: 10
    then:
      - log: in the timeout
      - panicNow:
  - immediate:
    then:
      - nextTick:
        then: [{log: tick}]
  - timeout: 20
    then: [{log: never}]
`,
		want:     "t.yaml:3:5: timeout panicked: boom in a callback",
		ordering: "before\ntick\nin the timeout\n",
	}, {
		name: "in a pool task, error steps or not",
		src: `files: {a.txt: x}
main:
  - read: a.txt
    then: [{log: read}]
  - panicTask:
    then: [{log: never}]
    error: [{log: never either}]
  - timeout: 50
    then: [{log: never at all}]
`,
		want:     "t.yaml:5:5: panicTask panicked: boom in a task",
		ordering: "read\n",
	}, {
		name:     "in main",
		src:      "main:\n  - log: first\n  - panicNow:\n",
		want:     "t.yaml:1:1: main panicked: boom in a callback",
		ordering: "first\n",
	}}
	for _, tt := range tests {
		for _, clock := range clocks(t) {
			t.Run(tt.name+"/"+clock, func(t *testing.T) {
				tmp := t.TempDir()
				t.Setenv("TMPDIR", tmp)
				got, err := runUnder(t, clock, tt.src, RunOptions{})
				var se *StepError
				if !errors.As(err, &se) || !se.Panicked || err.Error() != tt.want || len(se.Stack) == 0 {
					t.Errorf("err = %v, want a StepError %q with a stack", err, tt.want)
				}
				if got != tt.ordering {
					t.Errorf("ordering %q, want %q", got, tt.ordering)
				}
				if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
					t.Errorf("sandbox left behind: %v", entries)
				}
			})
		}
	}
}

// TestRunsLeaveNothingBehind runs a batch of scenarios under each clock (pool tasks, HTTP calls
// through the delay server with faults and timeouts, panics, runaway guards, a sandbox) and
// checks that no goroutine, OS thread, descriptor or directory remains.
func TestRunsLeaveNothingBehind(t *testing.T) {
	for _, clock := range bothClocks(t) {
		t.Run(clock, func(t *testing.T) { leaveNothingBehind(t, clock) })
	}
}

func leaveNothingBehind(t *testing.T, clock string) {
	withPanicKinds(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	sources := []string{`
files: {a.txt: hello}
main:
  - read: a.txt
    repeat: 4
  - encrypt: 30
  - http: /x
    repeat: 5
    delay: 5ms
    closed: [{log: closed}]
  - http: /refused
    respond: {fault: refuse}
    error: []
  - http: /reset
    respond: {fault: reset}
    error: []
  - http: /cut
    respond: {fault: close-mid-body}
    error: []
  - http: /hang
    respond: {fault: hang}
    timeout: 20ms
    error: []
`, `
main:
  - read: nothing
    error: []
  - timeout: 5
    then: [{panicNow: }]
`, `
main:
  - panicTask:
  - http: /hang
    respond: {fault: hang}
    timeout: 1h
`, `
main:
  - http: /hang
    respond: {fault: hang}
    timeout: 1h
  - read: nothing
    cost: 1h
    error: []
`}
	run := func() {
		for i, src := range sources {
			s, err := Parse("t.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			// The first run ends by itself, however slow the machine; the others end by a
			// failure, the last by the wall-clock guard.
			wall := 100 * time.Millisecond
			if i == 0 {
				wall = time.Minute
			}
			err = s.Run(RunOptions{Clock: clock, Limits: Limits{MaxWall: wall, MaxTime: time.Minute}})
			if (err == nil) != (i == 0) {
				t.Fatalf("run %d: %v", i, err)
			}
		}
	}
	run() // the runtime keeps the threads and goroutines it starts once
	lttest.CheckLeaks(t)
	for range 5 {
		run()
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("sandboxes left behind: %v", entries)
	}
}
