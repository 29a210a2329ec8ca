package harness

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/looptest/looptest/internal/words"
	"github.com/looptest/looptest/loop"
)

// Limits are the runaway guards of a run (RunOptions.Limits). In each, zero means no limit, as
// in loop.Options and on the command line.
type Limits struct {
	// MaxCallbacks stops a run after this many callbacks.
	MaxCallbacks int
	// MaxTime stops a run whose loop time passes it: hours of virtual time pass in an instant.
	MaxTime time.Duration
	// MaxWall stops a run that takes longer than this in real time, under either clock.
	MaxWall time.Duration
	// MaxPending stops a run once more callbacks than this wait to run (queued ticks,
	// microtasks, immediates, timers, tasks and requests in flight): it bounds the memory a
	// runaway takes.
	MaxPending int
	// MaxMemory stops a run once the heap's live objects take more than this many bytes. (The
	// command line also makes it the Go runtime's soft memory limit, so that the collector
	// works harder before it is reached.)
	MaxMemory int64
}

// DefaultLimits are the guards of the command line when its flags are not given: far beyond
// what an honest scenario needs. MaxPending is PendingFor(MaxMemory).
var DefaultLimits = Limits{
	MaxCallbacks: 100_000_000,
	MaxTime:      48 * time.Hour,
	MaxWall:      10 * time.Minute,
	MaxPending:   PendingFor(1 << 30),
	MaxMemory:    1 << 30,
}

// PendingBytes is the most a waiting timer, immediate, nextTick or microtask takes on the heap,
// as measured (TestPendingBytes): a timer 40 bytes, an immediate 24, a nextTick or a microtask
// 32; 64 leaves room. A traced run keeps more per callback, its events; pool tasks and requests
// take more too; the memory guard stops a flood of them.
const PendingBytes = 64

// PendingFor is the default MaxPending under a memory guard of maxMemory bytes: as many waiting
// callbacks of PendingBytes as fill three quarters of it, the rest left to everything else, so
// that a flood of them stops at MaxPending, with a message that says so, before the heap
// reaches the guard. 1 GiB allows 12,582,912. With no memory guard (0), it is that of the
// default guard.
func PendingFor(maxMemory int64) int {
	if maxMemory <= 0 {
		maxMemory = 1 << 30
	}
	return int(min(maxMemory/4*3/PendingBytes, math.MaxInt32))
}

// A LimitError reports that a runaway guard stopped a run. It names the limit and the
// command-line flag that sets it, and wraps the loop's error (errors.Is(err, loop.ErrLimit)).
type LimitError struct {
	File   string
	Limits Limits // the limits of the run
	Err    *loop.LimitError
}

func (e *LimitError) Error() string {
	switch e.Err.Limit {
	case loop.LimitCallbacks:
		return fmt.Sprintf("%s: stopped after %d %s (limit: --max-callbacks=%d)", e.File, e.Limits.MaxCallbacks, words.Plural(e.Limits.MaxCallbacks, "callback"), e.Limits.MaxCallbacks)
	case loop.LimitTime:
		return fmt.Sprintf("%s: stopped: the loop time passed %v (limit: --max-time=%v)", e.File, e.Limits.MaxTime, e.Limits.MaxTime)
	case loop.LimitDeadline:
		return fmt.Sprintf("%s: stopped: the run took longer than %v of real time (limit: --max-wall=%v)", e.File, e.Limits.MaxWall, e.Limits.MaxWall)
	case loop.LimitPending:
		return fmt.Sprintf("%s: stopped: more than %d %s waited to run (limit: --max-pending=%d)", e.File, e.Limits.MaxPending, words.Plural(e.Limits.MaxPending, "callback"), e.Limits.MaxPending)
	case loop.LimitStop:
		return fmt.Sprintf("%s: stopped: interrupted", e.File)
	case loop.LimitMemory:
		mib := e.Limits.MaxMemory >> 20
		return fmt.Sprintf("%s: stopped: looptest's heap passed %d MiB (limit: --max-memory=%d)", e.File, mib, mib)
	}
	return fmt.Sprintf("%s: stopped: %v", e.File, e.Err)
}

func (e *LimitError) Unwrap() error { return e.Err }

// limitError turns the loop's LimitError into one that names the flag; other errors pass.
func limitError(file string, lim Limits, err error) error {
	var le *loop.LimitError
	if errors.As(err, &le) {
		return &LimitError{File: file, Limits: lim, Err: le}
	}
	return err
}
