package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/nodecheck"
	"github.com/looptest/looptest/internal/ordering"
	"github.com/looptest/looptest/internal/verdict"
)

// A Target is what runs a scenario in real time: the real clock, or a JavaScript runtime.
type Target struct {
	Clock   string            // "real"; or a runtime's name: "node" for Node.js, "bun", "deno", ...
	Runtime nodecheck.Runtime // the runtime; with no Path, node is found in PATH
	Limits  harness.Limits    // the runaway guards; MaxWall bounds a Node.js run too
	Stop    <-chan struct{}   // closed to stop the runs (real clock)
}

// Lines runs s on the target once and returns its ordering with when each line came.
func (t Target) Lines(ctx context.Context, s *harness.Scenario) (ordering.Lines, error) {
	if t.Clock != "real" && t.Clock != "virtual" {
		return nodecheck.RunLines(ctx, s, nodecheck.Options{Runtime: t.Runtime, Timeout: t.Limits.MaxWall})
	}
	return timedRun(s, t.Clock, t.Limits, t.Stop)
}

// timedRun runs s under clock and returns its ordering with when each line came.
func timedRun(s *harness.Scenario, clock string, limits harness.Limits, stop <-chan struct{}) (ordering.Lines, error) {
	var lines ordering.Lines
	err := s.Run(harness.RunOptions{Clock: clock, Lines: &lines, Limits: limits, Stop: stop})
	return lines, err
}

// CheckReal judges s on the target against its virtual run, which gives the golden's lines and
// when each should come: an ordering that differs only where an event came later than its
// margin is inconclusive and is run again (verdict.Check); one that differs otherwise fails. It
// returns the virtual run's lines and the result.
func CheckReal(ctx context.Context, s *harness.Scenario, t Target) (ordering.Lines, verdict.Result, error) {
	want, err := timedRun(s, "virtual", t.Limits, t.Stop)
	if err != nil {
		return nil, verdict.Result{}, fmt.Errorf("the virtual run: %w", err)
	}
	res, err := verdict.Check(want, func() (ordering.Lines, error) { return t.Lines(ctx, s) })
	return want, res, err
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
