package cli

import (
	"flag"
	"fmt"
	"time"

	"github.com/looptest/looptest/harness"
)

// limitFlags holds the flags of the runaway guards, as parsed.
type limitFlags struct {
	callbacks, pending, memory int
	time, wall                 time.Duration
	fs                         *flag.FlagSet
}

// register adds the flags to fs, with the harness's defaults.
func (lf *limitFlags) register(fs *flag.FlagSet) {
	lf.fs = fs
	fs.IntVar(&lf.callbacks, "max-callbacks", harness.DefaultLimits.MaxCallbacks,
		"stop a run after `N` callbacks, the ordering so far printed (0: no limit)")
	fs.DurationVar(&lf.time, "max-time", harness.DefaultLimits.MaxTime,
		"stop a run whose loop time passes this `duration`; virtual hours pass in an instant (0: no limit)")
	fs.IntVar(&lf.pending, "max-pending", harness.DefaultLimits.MaxPending,
		"stop a run once more than `N` callbacks wait to run: queued ticks, microtasks, immediates, timers, tasks and requests (0: no limit; default: --max-memory's bytes / 64, or that of the default --max-memory when it is 0)")
	fs.IntVar(&lf.memory, "max-memory", int(harness.DefaultLimits.MaxMemory>>20),
		"stop a run once its heap passes this many `MiB` (0: no limit); also the Go runtime's soft memory limit")
	fs.DurationVar(&lf.wall, "max-wall", harness.DefaultLimits.MaxWall,
		"stop a run that takes longer than this `duration` in real time, under either clock (0: no limit)")
}

// maxMemoryMiB bounds --max-memory, far below where MiB in bytes would overflow an int64.
const maxMemoryMiB = 16 << 20

// limits returns the flags as harness.Limits (0: no limit, there as here), or an error for a
// negative flag.
func (lf *limitFlags) limits() (harness.Limits, error) {
	if lf.callbacks < 0 || lf.time < 0 || lf.wall < 0 || lf.pending < 0 || lf.memory < 0 {
		return harness.Limits{}, fmt.Errorf("--max-callbacks, --max-time, --max-wall, --max-pending and --max-memory must not be negative (0: no limit)")
	}
	if lf.memory > maxMemoryMiB {
		return harness.Limits{}, fmt.Errorf("--max-memory must be at most %d MiB (16 TiB)", maxMemoryMiB)
	}
	pending := lf.pending
	if !lf.set("max-pending") {
		pending = harness.PendingFor(int64(lf.memory) << 20)
	}
	return harness.Limits{MaxCallbacks: lf.callbacks, MaxTime: lf.time, MaxWall: lf.wall,
		MaxPending: pending, MaxMemory: int64(lf.memory) << 20}, nil
}

// set reports whether the flag was given.
func (lf *limitFlags) set(name string) bool {
	given := false
	lf.fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
