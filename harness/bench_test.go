package harness

import (
	_ "github.com/looptest/looptest/internal/lttest" // every test binary understands -update

	"io"
	"testing"
)

// BenchmarkTimers1M runs one million timers, each logging its index, under the virtual clock:
// the workload of bench/timers-1m-virtual.yaml.
func BenchmarkTimers1M(b *testing.B) {
	s, err := Load("../bench/timers-1m-virtual.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Run(RunOptions{Out: io.Discard}); err != nil {
			b.Fatal(err)
		}
	}
}
