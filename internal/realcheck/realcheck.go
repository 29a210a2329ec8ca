// Package realcheck judges a scenario's runs in real time, on the real clock or in a JavaScript
// runtime, against its virtual run: it runs them and hands the orderings, with when each line
// came, to the verdicts (package verdict).
package realcheck

import (
	"context"
	"fmt"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/nodecheck"
	"github.com/looptest/looptest/internal/ordering"
	"github.com/looptest/looptest/internal/verdict"
	"github.com/looptest/looptest/loop"
)

// A Target is what runs a scenario in real time: looptest's loop on the real clock, or a
// JavaScript runtime.
type Target struct {
	// Runtime, if not nil, runs the scenario's program: Node.js, Bun, Deno, ... If nil, the
	// scenario runs on looptest's loop under the real clock.
	Runtime *nodecheck.Runtime
	Limits  harness.Limits  // the runaway guards; MaxWall bounds a runtime's run too
	Stop    <-chan struct{} // closed to stop the runs, a runtime's too
}

// Name names the target as an operand's suffix does (x.yaml@NAME): "real", or the runtime's
// name.
func (t Target) Name() string {
	if t.Runtime != nil {
		return t.Runtime.Name
	}
	return "real"
}

// Lines runs s on the target once and returns its ordering with when each line came.
func (t Target) Lines(ctx context.Context, s *harness.Scenario) (ordering.Lines, error) {
	if t.Runtime != nil {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if t.Stop != nil {
			go func() {
				select {
				case <-t.Stop:
					cancel()
				case <-ctx.Done():
				}
			}()
		}
		lines, err := nodecheck.RunLines(ctx, s, nodecheck.Options{Runtime: *t.Runtime, Timeout: t.Limits.MaxWall})
		if err != nil && stopped(t.Stop) {
			// What a run on looptest's loop says when stopped.
			err = &harness.LimitError{File: s.File, Limits: t.Limits, Err: &loop.LimitError{Limit: loop.LimitStop}}
		}
		return lines, err
	}
	return timedRun(s, "real", t.Limits, t.Stop)
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

// Virtual runs s under the virtual clock and returns its ordering with when each line should
// come: what a real-time run is judged against.
func Virtual(s *harness.Scenario, limits harness.Limits, stop <-chan struct{}) (ordering.Lines, error) {
	return timedRun(s, "virtual", limits, stop)
}

// timedRun runs s under clock and returns its ordering with when each line came.
func timedRun(s *harness.Scenario, clock string, limits harness.Limits, stop <-chan struct{}) (ordering.Lines, error) {
	var lines ordering.Lines
	err := s.Run(harness.RunOptions{Clock: clock, Lines: &lines, Limits: limits, Stop: stop})
	return lines, s.Ended(err)
}

// Check judges s on the target against its virtual run, which gives the golden's lines and when
// each should come: an ordering that differs only where an event came later than its margin is
// inconclusive and is run again (verdict.Check); one that differs otherwise fails. It returns the
// virtual run's lines and the result.
func Check(ctx context.Context, s *harness.Scenario, t Target) (ordering.Lines, verdict.Result, error) {
	want, err := Virtual(s, t.Limits, t.Stop)
	if err != nil {
		return nil, verdict.Result{}, fmt.Errorf("the virtual run: %w", err)
	}
	res, err := verdict.Check(want, func() (ordering.Lines, error) { return t.Lines(ctx, s) })
	return want, res, err
}
