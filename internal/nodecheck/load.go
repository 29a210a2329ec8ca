package nodecheck

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/loop"
)

// A Load is how much of the machine a scenario's Node.js program keeps busy. Its pool tasks are
// pbkdf2 runs, each burning a core for its cost, and its blocks busy loops on the loop thread:
// with more of them at once than the machine has cores, they take longer than the scenario
// says, and timers do not wait for them.
type Load struct {
	// Threads is the most threads busy at once: pool tasks, and the loop thread while it blocks.
	Threads int
	// Pool says whether the program runs pool tasks, timed by the calibration it makes when it
	// starts.
	Pool bool
}

// MeasureLoad runs the scenario under the virtual clock and returns its Load.
func MeasureLoad(s *harness.Scenario) (Load, error) {
	var rec loop.Recorder
	err := s.Ended(s.Run(harness.RunOptions{Clock: "virtual", Out: io.Discard, Recorder: &rec, Limits: harness.DefaultLimits}))
	var se *harness.StepError
	if err != nil && !errors.As(err, &se) {
		return Load{}, fmt.Errorf("measuring the load of %s: %w", s.File, err)
	}
	return loadOf(rec.Events()), nil
}

// loadOf counts the busy threads of a trace: each pool task from its start to its finish, the
// loop thread for each block.
func loadOf(events []loop.Event) Load {
	type edge struct {
		at    time.Duration
		delta int
	}
	var edges []edge
	var load Load
	for _, e := range events {
		switch e.Kind {
		case loop.KindTaskStarted:
			edges = append(edges, edge{e.Time, +1})
			load.Pool = true
		case loop.KindTaskFinished:
			edges = append(edges, edge{e.Time, -1})
		case loop.KindBlock:
			if e.Arg > 0 {
				edges = append(edges, edge{e.Time, +1}, edge{e.Time + e.Arg, -1})
			}
		}
	}
	// A worker freed at t takes its next task at t: ends come before starts.
	slices.SortStableFunc(edges, func(a, b edge) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.delta, b.delta))
	})
	busy := 0
	for _, e := range edges {
		busy += e.delta
		load.Threads = max(load.Threads, busy)
	}
	return load
}

// Slots bounds the programs that run at once on a machine of a few cores, as TestNode and
// compat run them: a program whose Load uses the pool takes every slot, so that no other
// program slows its pbkdf2 tasks against its timers; one that keeps at most the loop thread
// busy takes one.
type Slots struct {
	mu     sync.Mutex // held while taking, so that two takers never hold a part each
	tokens chan struct{}
}

// NewSlots returns n slots.
func NewSlots(n int) *Slots { return &Slots{tokens: make(chan struct{}, max(n, 1))} }

// Take waits for the slots a program of load needs, and returns the function that gives them
// back.
func (s *Slots) Take(load Load) (give func()) {
	n := 1
	if load.Pool {
		n = cap(s.tokens)
	}
	s.mu.Lock()
	for range n {
		s.tokens <- struct{}{}
	}
	s.mu.Unlock()
	return func() {
		for range n {
			<-s.tokens
		}
	}
}
