package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/looptest/looptest/golden"
	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/nodecheck"
	"github.com/looptest/looptest/internal/ordering"
	"github.com/looptest/looptest/internal/realcheck"
	"github.com/looptest/looptest/internal/verdict"
	"github.com/looptest/looptest/internal/words"
)

func runDiff(c *cli, args []string) int {
	fs := c.flags("diff")
	width := fs.Int("width", 0, fmt.Sprintf("the `width` of the output in columns, up to %d (0: 160)", maxWidth))
	node := fs.Bool("node", false, "compare one scenario's ordering under the virtual clock (left) with the one Node.js gives (right): diff --node x.yaml is diff x.yaml@virtual x.yaml@node")
	runtimeFlag(c, fs)
	if st := c.parse(fs, args); st >= 0 {
		return st
	}
	if *width < 0 || *width > maxWidth {
		fmt.Fprintf(c.stderr, "looptest diff: --width must be from 0 to %d, not %d\n", maxWidth, *width)
		return exitInvalid
	}
	var left, right string
	switch {
	case *node:
		if fs.NArg() != 1 || !isScenario(fs.Arg(0)) || scenarioPart(fs.Arg(0)) != fs.Arg(0) {
			fmt.Fprintln(c.stderr, "usage: looptest diff --node FILE.yaml")
			return exitInvalid
		}
		left, right = fs.Arg(0)+"@virtual", fs.Arg(0)+"@node"
	case fs.NArg() == 1:
		if !isScenario(fs.Arg(0)) {
			fmt.Fprintln(c.stderr, "looptest diff: with one operand, it must be a scenario (.yaml), compared with its golden")
			return exitInvalid
		}
		left, right = GoldenPath(scenarioPart(fs.Arg(0))), fs.Arg(0)
		if at := strings.TrimPrefix(fs.Arg(0), scenarioPart(fs.Arg(0))); at != "" && at != "@virtual" {
			if _, err := os.Stat(left); errors.Is(err, os.ErrNotExist) {
				// No golden: the virtual run is what it would hold.
				fmt.Fprintf(c.stderr, "looptest diff: %s does not exist: comparing with the virtual run\n", quoteName(left))
				left = scenarioPart(fs.Arg(0)) + "@virtual"
			}
		}
	case fs.NArg() == 2:
		left, right = fs.Arg(0), fs.Arg(1)
	default:
		fmt.Fprintln(c.stderr, "usage: looptest diff [flags] LEFT [RIGHT]")
		return exitInvalid
	}
	status := exitOK
	l, st := c.ordering(left)
	status = max(status, st)
	if c.stopped() {
		return exitFailed
	}
	r, st := c.ordering(right)
	status = max(status, st)
	if status == exitInvalid || c.stopped() {
		return max(status, exitFailed)
	}
	same, err := golden.SideBySide(c.stdout, left, l, right, r, *width)
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitFailed
	}
	if !same {
		status = exitFailed
		if c.judge(left, l, right, r) == verdict.Pass {
			status = exitOK
		}
	}
	return status
}

// maxWidth bounds --width: each line is padded to it, so that a huge width would write without
// bound.
const maxWidth = 1000

// judge says, when one operand ran in real time (@real, @node) and the other did not, whether
// the difference is one that lateness explains. The other side must be the scenario's virtual
// ordering (its golden, or @virtual), which gives when each line should come. It prints the
// verdict with its evidence (verdict.Judge) and, while inconclusive, runs the real side again
// (verdict.Check), reporting each run. It returns the verdict, Fail when there is nothing to
// judge.
func (c *cli) judge(left string, l []byte, right string, r []byte) verdict.Verdict {
	timed, other := c.timed[right], l
	if timed.lines == nil {
		timed, other = c.timed[left], r
	}
	if timed.lines == nil || c.timed[left].lines != nil && c.timed[right].lines != nil {
		return verdict.Fail
	}
	want, err := realcheck.Virtual(timed.s, c.limits, c.stop)
	if err != nil {
		return verdict.Fail
	}
	if !bytes.Equal(want.Bytes(), other) {
		return verdict.Fail // the other side is not what the virtual clock gives: nothing to judge by
	}
	first := verdict.Judge(want, timed.lines)
	fmt.Fprintf(c.stdout, "against the virtual run, with when each line came: ")
	first.Write(c.stdout)
	if first.Verdict != verdict.Inconclusive {
		return first.Verdict
	}
	res, err := verdict.Check(want, func() (ordering.Lines, error) { return timed.target.Lines(context.Background(), timed.s) })
	if err != nil {
		fmt.Fprintf(c.stderr, "looptest diff: a rerun: %v\n", err)
		return verdict.Fail
	}
	fmt.Fprintf(c.stdout, "ran again, as load may explain it:\n")
	res.Write(c.stdout)
	return res.Verdict
}

// ordering returns what an operand of diff stands for: a scenario's ordering from a run, under a
// clock or through Node.js, or the content of an ordering file. A failed run gives what it
// printed, and status exitFailed; an operand that cannot give an ordering at all (an invalid
// file, no node) gives exitInvalid.
func (c *cli) ordering(operand string) ([]byte, int) {
	if !isScenario(operand) {
		b, err := c.readFile(operand)
		if err != nil {
			fmt.Fprintf(c.stderr, "looptest diff: %v\n", err)
			return nil, exitInvalid
		}
		return b, exitOK
	}
	file, clock := scenarioPart(operand), ""
	if i := strings.LastIndex(operand, "@"); i > len(file)-1 {
		clock = operand[i+1:]
	}
	var rt nodecheck.Runtime
	if clock != "" && clock != "virtual" && clock != "real" {
		var err error
		if rt, err = c.runtime(clock); err != nil {
			fmt.Fprintf(c.stderr, "looptest diff: %s: %v\n", operand, err)
			return nil, exitInvalid
		}
	}
	s, err := c.load(file)
	if err != nil {
		return nil, exitInvalid
	}
	if rt.Path != "" {
		return c.runtimeOrdering(operand, s, rt)
	}
	if clock == "real" {
		return c.realOrdering(operand, s, realcheck.Target{Limits: c.limits, Stop: c.stop})
	}
	var out orderingBuffer
	if err := s.Ended(s.Run(harness.RunOptions{Clock: clock, Out: &out, Limits: c.limits, Stop: c.stop})); err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", operand, err)
		return out.Bytes(), exitFailed
	}
	return out.Bytes(), exitOK
}

// readFile reads a file as os.ReadFile does, but returns at once on a signal: the file may be
// a pipe, as <(command) gives, whose writer takes its time, or a named pipe that none opens.
func (c *cli) readFile(name string) ([]byte, error) {
	type read struct {
		b   []byte
		err error
	}
	done := make(chan read, 1)
	go func() {
		b, err := os.ReadFile(name)
		done <- read{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-c.stop:
		return nil, fmt.Errorf("%s: interrupted", name)
	}
}

// runtimeOrdering runs a scenario through a JavaScript runtime: Node.js, Bun, Deno, ...
func (c *cli) runtimeOrdering(operand string, s *harness.Scenario, rt nodecheck.Runtime) ([]byte, int) {
	if s.Tight {
		fmt.Fprintf(c.stderr, "%s: note: the file is marked `# timing: tight`: on %s's real clock its ordering may vary\n", operand, rt.Name)
	}
	if load, err := nodecheck.MeasureLoad(s); err == nil && load.Threads > runtime.NumCPU() {
		fmt.Fprintf(c.stderr, "%s: note: it keeps %d threads busy at once, more than this machine's %d %s: %s's pool tasks may take longer than their cost\n",
			operand, load.Threads, runtime.NumCPU(), words.Plural(runtime.NumCPU(), "core"), rt.Name)
	}
	// --max-wall bounds the runtime's run as it bounds looptest's own.
	return c.realOrdering(operand, s, realcheck.Target{Runtime: &rt, Limits: c.limits, Stop: c.stop})
}

// runtimeFlag registers --runtime NAME=PATH, repeatable: a JavaScript runtime to run scenarios
// with, named for operands (x.yaml@NAME) and --runtimes.
func runtimeFlag(c *cli, fs *flag.FlagSet) {
	fs.Func("runtime", "a JavaScript runtime `NAME=PATH` to run scenarios with, as x.yaml@NAME (repeatable; node, bun and deno are found by themselves)", func(v string) error {
		name, path, ok := strings.Cut(v, "=")
		if !ok || name == "" || path == "" {
			return fmt.Errorf("want NAME=PATH, such as node18=/opt/node18/bin/node")
		}
		if c.runtimePaths == nil {
			c.runtimePaths = map[string]string{}
		}
		c.runtimePaths[name] = path
		return nil
	})
}

// runtime finds the runtime called name: one given with --runtime NAME=PATH, or node, bun or
// deno where they are installed.
func (c *cli) runtime(name string) (nodecheck.Runtime, error) {
	return nodecheck.FindRuntime(context.Background(), name, c.runtimePaths[name])
}

// timedOrdering is what a real-time operand gave: its lines with when each came, and how to run
// it again.
type timedOrdering struct {
	s      *harness.Scenario
	target realcheck.Target
	lines  ordering.Lines
}

// realOrdering runs a scenario in real time, on the real clock or through Node.js, and keeps
// when each line came, for judge.
func (c *cli) realOrdering(operand string, s *harness.Scenario, t realcheck.Target) ([]byte, int) {
	begin := time.Now()
	prog := c.startProgress(func() string { return fmt.Sprintf("diff: running %s, %s", quoteName(operand), since(begin)) })
	lines, err := t.Lines(context.Background(), s)
	prog.stop()
	out := lines.Bytes()
	var re *nodecheck.RunError
	switch {
	case err == nil:
		if c.timed == nil {
			c.timed = map[string]timedOrdering{}
		}
		c.timed[operand] = timedOrdering{s, t, lines}
		return out, exitOK
	case errors.As(err, &re), t.Runtime == nil: // a run that failed; only a missing runtime is no run

		fmt.Fprintf(c.stderr, "%s: %v\n", operand, err)
		return out, exitFailed
	}
	fmt.Fprintf(c.stderr, "looptest diff: %s: %v\n", operand, err)
	return nil, exitInvalid
}

// isScenario reports whether a diff operand names a scenario: FILE.yaml or FILE.yaml@CLOCK.
func isScenario(operand string) bool {
	return strings.HasSuffix(scenarioPart(operand), ".yaml")
}

// scenarioPart strips an @CLOCK (or @node) suffix from FILE.yaml@CLOCK.
func scenarioPart(operand string) string {
	if i := strings.LastIndex(operand, ".yaml@"); i >= 0 {
		return operand[:i+len(".yaml")]
	}
	return operand
}
