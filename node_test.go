package looptest_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/cli"
	"github.com/looptest/looptest/internal/lttest"
	"github.com/looptest/looptest/internal/nodecheck"
)

// nodeSlots is how many Node.js runs go at once, at most: two, for a two-core machine. A run's
// timers are real, and its pool tasks are pbkdf2 runs sized by a calibration the program makes
// when it starts: a scenario that uses the pool takes both slots, so that no other program
// slows its pool down against its timers; one that keeps at most the loop thread busy takes one.
const nodeSlots = 2

// slots is a counting semaphore of nodeSlots.
type slots struct {
	mu     sync.Mutex // held while taking, so that two takers never hold a part each
	tokens chan struct{}
}

func (s *slots) take(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.tokens <- struct{}{}
	}
}

func (s *slots) give(n int) {
	for range n {
		<-s.tokens
	}
}

// TestNode runs every shipped scenario through Node.js and checks that Node.js gives the ordering
// of its golden file: Node.js is the oracle of the rules looptest's loop follows. It leaves out
// the scenarios whose ordering hinges on gaps under 20 ms, the known differences, and those that
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

	running := &slots{tokens: make(chan struct{}, nodeSlots)}
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
		weight := 1
		if load.Pool {
			weight = nodeSlots
		}
		running.take(weight)
		defer running.give(weight)
		judge(t, s, cli.Target{Clock: "node", Node: node, Limits: harness.Limits{MaxWall: nodecheck.DefaultTimeout}})
	})
}
