package cli

import (
	"bytes"
	"context"
	"fmt"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/nodecheck"
	"github.com/looptest/looptest/internal/verdict"
	"github.com/looptest/looptest/loop"
)

// A Target is what runs a scenario in real time: the real clock, or Node.js.
type Target struct {
	Clock  string          // "real", or "node" for Node.js
	Node   string          // the node to run, for Node.js; "" finds it on PATH
	Limits harness.Limits  // the runaway guards; MaxWall bounds a Node.js run too
	Stop   <-chan struct{} // closed to stop the runs (real clock)
}

// Lines runs s on the target once and returns its ordering with when each line came.
func (t Target) Lines(ctx context.Context, s *harness.Scenario) ([]verdict.Line, error) {
	if t.Clock == "node" {
		return nodecheck.RunLines(ctx, s, nodecheck.Options{Node: t.Node, Timeout: t.Limits.MaxWall})
	}
	return timedRun(s, t.Clock, t.Limits, t.Stop)
}

// timedRun runs s under clock and returns its ordering with when each line came.
func timedRun(s *harness.Scenario, clock string, limits harness.Limits, stop <-chan struct{}) ([]verdict.Line, error) {
	var rec loop.Recorder
	var out bytes.Buffer
	err := s.Run(harness.RunOptions{Clock: clock, Out: &out, Recorder: &rec, Limits: limits, Stop: stop})
	return verdict.FromEvents(rec.Events()), err
}

// CheckReal judges s on the target against its virtual run, which gives the golden's lines and
// when each should come: an ordering that differs only where an event came later than its
// margin is inconclusive and is run again (verdict.Check); one that differs otherwise fails. It
// returns the virtual run's lines and the result.
func CheckReal(ctx context.Context, s *harness.Scenario, t Target) ([]verdict.Line, verdict.Result, error) {
	want, err := timedRun(s, "virtual", t.Limits, t.Stop)
	if err != nil {
		return nil, verdict.Result{}, fmt.Errorf("the virtual run: %w", err)
	}
	res, err := verdict.Check(want, func() ([]verdict.Line, error) { return t.Lines(ctx, s) })
	return want, res, err
}
