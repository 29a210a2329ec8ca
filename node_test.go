package looptest_test

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/lttest"
	"github.com/looptest/looptest/internal/nodecheck"
	"github.com/looptest/looptest/internal/realcheck"
)

// nodeSlots is how many Node.js runs go at once, at most: two, for a two-core machine (see
// nodecheck.Slots).
const nodeSlots = 2

// TestNode runs every shipped scenario through Node.js and checks that Node.js gives the ordering
// of its golden file: Node.js is the oracle of the rules looptest's loop follows. It leaves out
// the scenarios whose ordering hinges on gaps under 20 ms, and those that
// need more cores than the machine has; it is skipped when node is not installed.
func TestNode(t *testing.T) {
	lttest.NeedRealTime(t)
	ctx := context.Background()
	node, err := nodecheck.Find(ctx, "")
	if errors.Is(err, nodecheck.ErrNoNode) {
		t.Skipf("no Node.js to check the scenarios against: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	version, _ := nodecheck.Version(ctx, node)
	t.Logf("checking against %s %s", node, version)

	running := nodecheck.NewSlots(nodeSlots)
	eachScenario(t, func(t *testing.T, file string, s *harness.Scenario) {
		if s.Tight {
			t.Skip("timing: tight: its ordering hinges on gaps under 20 ms, which Node.js's real clock does not keep")
		}
		load, err := nodecheck.MeasureLoad(s)
		if err != nil {
			t.Fatal(err)
		}
		if cpus := runtime.NumCPU(); load.Threads > cpus {
			t.Skipf("it keeps %d threads busy at once (pool tasks, blocks), more than this machine's %d cores: "+
				"Node.js's pool tasks burn a core each and could not hold their workers for their cost", load.Threads, cpus)
		}
		t.Parallel()
		defer running.Take(load)()
		judge(t, s, realcheck.Target{Runtime: &nodecheck.Runtime{Name: "node", Path: node}, Limits: harness.Limits{MaxWall: nodecheck.DefaultTimeout}})
	})
}
