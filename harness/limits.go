package harness

import (
	"errors"
	"fmt"
	"time"

	"github.com/looptest/looptest/loop"
)

// Defaults of the runaway guards: far beyond what an honest scenario needs.
const (
	DefaultMaxCallbacks = 100_000_000
	DefaultMaxTime      = 48 * time.Hour
	DefaultMaxWall      = 10 * time.Minute
)

// Limits are the runaway guards of a run. In each, zero means the default and a negative value
// means no limit.
type Limits struct {
	// MaxCallbacks stops a run after this many callbacks (DefaultMaxCallbacks).
	MaxCallbacks int
	// MaxTime stops a run whose loop time passes it (DefaultMaxTime): hours of virtual time
	// pass in an instant.
	MaxTime time.Duration
	// MaxWall stops a run that takes longer than this in real time, under either clock
	// (DefaultMaxWall).
	MaxWall time.Duration
}

// limit returns the first of vs that is not zero, def if all are, and 0 (no limit) if that is
// negative.
func limit[T int | time.Duration](def T, vs ...T) T {
	v := def
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i] != 0 {
			v = vs[i]
		}
	}
	return max(v, 0)
}

// resolve returns the limits of a run: those of opts, else those of s, else the defaults; 0
// means none.
func (s *Scenario) resolve(opts RunOptions) Limits {
	return Limits{
		MaxCallbacks: limit(DefaultMaxCallbacks, opts.MaxCallbacks, s.Limits.MaxCallbacks),
		MaxTime:      limit(DefaultMaxTime, opts.MaxTime, s.Limits.MaxTime),
		MaxWall:      limit(DefaultMaxWall, opts.MaxWall, s.Limits.MaxWall),
	}
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
		return fmt.Sprintf("%s: stopped after %d callbacks (limit: --max-callbacks=%d)", e.File, e.Limits.MaxCallbacks, e.Limits.MaxCallbacks)
	case loop.LimitTime:
		return fmt.Sprintf("%s: stopped: the loop time passed %v (limit: --max-time=%v)", e.File, e.Limits.MaxTime, e.Limits.MaxTime)
	case loop.LimitDeadline:
		return fmt.Sprintf("%s: stopped: the run took longer than %v of real time (limit: --max-wall=%v)", e.File, e.Limits.MaxWall, e.Limits.MaxWall)
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
