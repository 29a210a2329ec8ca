// Package explore finds the orderings a scenario can produce when its timings wobble, before a
// golden file flakes in CI.
//
// It runs the scenario many times under the virtual clock. Every cost, delay and block is
// perturbed by a random jitter, independently at each use: they stand for I/O and CPU work, whose
// length changes from machine to machine. Timer delays are not perturbed unless asked: Node.js
// fires a timer at its deadline, and what moves a timer against other events is when it is
// armed, which follows from the perturbed work before it; perturbing delays reports races that
// cannot happen, such as 50 ms + 50 ms against 100 ms. With Options.Timers they are perturbed
// too, with one factor per distinct delay in a run, because Node.js keeps the timers of one delay
// in one list and fires them in the order they were armed. Half of the runs also reverse the
// order of completions due at the same instant. Each distinct ordering is reported
// with how often it appeared, the pairs of log lines that swap against the unperturbed ordering,
// and the steps whose timings decide each swap: a step decides a swap when running that same
// perturbed run with the step's durations unperturbed undoes the swap.
package explore

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/ordering"
	"github.com/looptest/looptest/internal/words"
	"github.com/looptest/looptest/loop"
)

// Options configure an exploration.
type Options struct {
	Runs   int     // perturbed runs; 0 means 200
	Jitter float64 // the relative jitter, 0.10 for ±10%; 0 means 0.10
	Seed   uint64  // the seed of the perturbations: the same seed gives the same report
	Timers bool    // perturb timer delays too, one factor per distinct delay
	// MainTime bounds how long main takes to run, Node.js's start-up before its first
	// iteration included: each run draws it from [0, MainTime]. 0 means DefaultMainTime.
	MainTime time.Duration
	// CallbackTime bounds how long every other callback takes to run: each run draws each
	// callback's time from [0, CallbackTime]. 0 means DefaultCallbackTime.
	CallbackTime time.Duration
	// Stop, once closed, stops the exploration: the run under way stops as a guard stops it,
	// and Explore returns its error.
	Stop <-chan struct{}
}

// The default bounds of the time callbacks take. Node.js's loop counts whole milliseconds, so
// what matters is whether main's run and start-up cross one: they often do (a 0 ms timeout
// armed in main runs before an immediate armed with it in about a third of Node.js's runs). A
// callback's own code is shorter; half a millisecond is a generous bound for a scenario's
// callbacks, which log and arm.
const (
	DefaultMainTime     = 2 * time.Millisecond
	DefaultCallbackTime = 500 * time.Microsecond
)

// Report is what an exploration found.
type Report struct {
	File      string
	Runs      int
	Jitter    float64
	Seed      uint64
	Orderings []*Ordering // the unperturbed one first, then by how often they appeared
	Races     []*Race     // the pairs of callbacks that swap, the most frequent first
}

// A Race is a pair of callbacks whose order changes when timings wobble.
type Race struct {
	First, Second Unit      // in the unperturbed order
	Runs          int       // how many runs had them the other way round
	DecidedBy     []Decider // every step that decided it in some ordering
	Together      bool      // no step decides it alone: the listed ones do together
}

// Stable reports whether every run gave the same ordering.
func (r *Report) Stable() bool { return len(r.Orderings) == 1 }

// Ordering is one distinct ordering and what makes it differ from the unperturbed one.
type Ordering struct {
	Lines    []string
	Units    []Unit // the callbacks that logged, in the order they ran
	Count    int
	Baseline bool    // the unperturbed ordering
	Swaps    []Swap  // pairs of lines in the other order than in the baseline, nearest first
	More     int     // swaps not listed
	examples []trial // the first trials that gave it, whose re-runs explain it
}

// maxExamples bounds the trials of an ordering that are re-run to explain it.
const maxExamples = 3

// A Unit is a callback that logged, and what it logged.
type Unit struct {
	Step  harness.Source // the step whose callback it is; the zero Source for main
	Close bool           // it is the close callback of Step's request
	Lines []string       // what it logged
}

// Callback names the callback: its step and place, or main.
func (u Unit) Callback() string {
	switch {
	case u.Step == harness.Source{}:
		return "main"
	case u.Close:
		return "the close callback of " + u.Step.String()
	}
	return u.Step.String()
}

func (u Unit) String() string {
	s := fmt.Sprintf("%q", u.Lines[0])
	if n := len(u.Lines) - 1; n > 0 {
		s += fmt.Sprintf(" (+%d %s)", n, words.Plural(n, "line"))
	}
	return s + " from " + u.Callback()
}

// A unitKey tells units apart: the same callback that logged the same lines.
type unitKey struct {
	step  harness.Source
	close bool
	lines string
}

func (u Unit) key() unitKey { return unitKey{u.Step, u.Close, strings.Join(u.Lines, "\n")} }

// Swap is a pair of callbacks that run in the other order than in the unperturbed ordering.
type Swap struct {
	First, Second Unit      // First ran before Second here; the baseline had Second first
	DecidedBy     []Decider // the steps whose timings decide it, alone or (Together) jointly
	Together      bool
}

// Decider is a step whose timing decides a swap, or a tie at one instant when Key is "tie".
type Decider struct {
	Pos harness.Pos
	Key string        // cost, delay, block, timeout, interval, run (a callback's time), main, stdout, or tie
	D   time.Duration // the duration as the scenario gives it
}

func (d Decider) String() string {
	switch d.Key {
	case "tie":
		return "the order of completions due at one instant"
	case "main":
		return fmt.Sprintf("%s:%d (the time main takes to run, with Node.js's start-up)", d.Pos.File, d.Pos.Line)
	case "run":
		return fmt.Sprintf("%s:%d (the time its callback takes to run)", d.Pos.File, d.Pos.Line)
	case "stdout":
		return fmt.Sprintf("%s:%d (the first log's set-up of stdout, %v)", d.Pos.File, d.Pos.Line, d.D)
	}
	return fmt.Sprintf("%s:%d (%s %v)", d.Pos.File, d.Pos.Line, d.Key, d.D)
}

// maxSwaps bounds the swaps listed per ordering.
const maxSwaps = 5

// trial is one run's perturbation: which run it is, whether ties are reversed, and which step
// runs unperturbed.
type trial struct {
	run      int
	perturb  bool
	reversed bool
	off      []stepKey // steps whose durations stay as written
}

type stepKey struct {
	pos harness.Pos
	key string
}

// Explore runs s under the virtual clock with perturbed timings, opts.Runs times.
func Explore(s *harness.Scenario, opts Options) (*Report, error) {
	if opts.Runs <= 0 {
		opts.Runs = 200
	}
	if opts.Jitter <= 0 {
		opts.Jitter = 0.10
	}
	if opts.MainTime <= 0 {
		opts.MainTime = DefaultMainTime
	}
	if opts.CallbackTime <= 0 {
		opts.CallbackTime = DefaultCallbackTime
	}
	x := &explorer{s: s, opts: opts}
	rep := &Report{File: s.File, Runs: opts.Runs, Jitter: opts.Jitter, Seed: opts.Seed}

	base, err := x.run(trial{})
	if err != nil {
		return nil, err
	}
	byKey := map[string]*Ordering{}
	baseline := &Ordering{Lines: base.lines, Units: base.units, Baseline: true}
	byKey[base.key()] = baseline
	rep.Orderings = append(rep.Orderings, baseline)
	for i := range opts.Runs {
		t := trial{run: i + 1, perturb: i > 0, reversed: i%2 == 0}
		res, err := x.run(t)
		if err != nil {
			return nil, err
		}
		o := byKey[res.key()]
		if o == nil {
			o = &Ordering{Lines: res.lines, Units: res.units}
			byKey[res.key()] = o
			rep.Orderings = append(rep.Orderings, o)
		}
		if len(o.examples) < maxExamples {
			o.examples = append(o.examples, t)
		}
		o.Count++
	}
	slices.SortStableFunc(rep.Orderings[1:], func(a, b *Ordering) int { return b.Count - a.Count })
	for _, o := range rep.Orderings[1:] {
		if err := x.explain(o, base.units); err != nil {
			return nil, err
		}
	}
	rep.Races = races(rep.Orderings[1:])
	return rep, nil
}

// races gathers the swaps of every ordering into races, one per pair of callbacks.
func races(orderings []*Ordering) []*Race {
	var rs []*Race
	byPair := map[[2]unitKey]*Race{}
	for _, o := range orderings {
		for _, s := range o.Swaps {
			pair := [2]unitKey{s.Second.key(), s.First.key()}
			r := byPair[pair]
			if r == nil {
				r = &Race{First: s.Second, Second: s.First, Together: true}
				byPair[pair] = r
				rs = append(rs, r)
			}
			r.Runs += o.Count
			if len(s.DecidedBy) > 0 && !s.Together && r.Together {
				r.Together, r.DecidedBy = false, nil
			}
			if s.Together == r.Together {
				for _, d := range s.DecidedBy {
					if !slices.Contains(r.DecidedBy, d) {
						r.DecidedBy = append(r.DecidedBy, d)
					}
				}
			}
		}
	}
	slices.SortStableFunc(rs, func(a, b *Race) int { return b.Runs - a.Runs })
	return rs
}

// result is what one trial gave.
type result struct {
	lines []string
	units []Unit
	used  []perturbed // the steps it perturbed, in the order they first used a duration
}

func (r *result) key() string { return strings.Join(r.lines, "\n") }

type explorer struct {
	s    *harness.Scenario
	opts Options
}

// perturbed is a step a trial perturbed, with the duration the scenario writes for it.
type perturbed struct {
	stepKey
	d time.Duration
}

// run runs one trial.
func (x *explorer) run(t trial) (*result, error) {
	var lines ordering.Lines
	var used []perturbed
	var rec loop.Recorder
	opts := harness.RunOptions{Clock: "virtual", Lines: &lines, Recorder: &rec, Limits: harness.DefaultLimits, Stop: x.opts.Stop}
	if t.reversed {
		opts.Ties = loop.TiesReversed
	}
	if t.perturb {
		counts := map[stepKey]int{}
		opts.Perturb = func(tm harness.Timing, d time.Duration) time.Duration {
			pos, key, timer := tm.Step, tm.Key, tm.Timer
			if timer && !x.opts.Timers {
				return d
			}
			if tm.Main {
				key = "main"
			}
			k := stepKey{pos, key}
			if !slices.ContainsFunc(used, func(p perturbed) bool { return p.stepKey == k }) {
				used = append(used, perturbed{k, d})
			}
			if slices.Contains(t.off, k) {
				return d
			}
			instance := counts[k]
			counts[k]++
			u := x.unit(t.run, pos, key, d, instance)
			switch {
			case key == "main":
				return time.Duration(float64(x.opts.MainTime) * (1 + u) / 2)
			case key == "run":
				return time.Duration(float64(x.opts.CallbackTime) * (1 + u) / 2)
			case timer:
				// One factor per delay, timeouts and intervals alike: timers of one delay share
				// Node's list and keep the order they were armed in.
				u = x.unit(t.run, harness.Pos{}, "timer", d, 0)
			}
			return time.Duration(float64(d) * (1 + x.opts.Jitter*u))
		}
	}
	if err := x.s.Ended(x.s.Run(opts)); err != nil {
		return nil, fmt.Errorf("%s: run %d: %w", x.s.File, t.run, err)
	}
	return &result{lines: lines.Texts(), units: units(rec.Events()), used: used}, nil
}

// units groups the log lines of a run by the callback that printed them.
func units(events []loop.Event) []Unit {
	var us []Unit
	for _, e := range events {
		switch {
		case e.Kind.Callback():
			u := Unit{Close: e.Kind == loop.KindClose}
			if s := harness.SourceOf(e.Source); s != nil {
				u.Step = *s
			}
			us = append(us, u)
		case e.Kind == loop.KindLog:
			if len(us) == 0 {
				us = append(us, Unit{})
			}
			u := &us[len(us)-1]
			u.Lines = append(u.Lines, strings.Split(e.Text, "\n")...)
		}
	}
	return slices.DeleteFunc(us, func(u Unit) bool { return len(u.Lines) == 0 })
}

// unit returns a number in [-1, 1] that depends only on the seed, the run and the duration's
// identity, so that re-running a trial with one step unperturbed keeps every other factor.
func (x *explorer) unit(run int, pos harness.Pos, key string, d time.Duration, instance int) float64 {
	h := fnv.New64a()
	var b [8]byte
	for _, n := range []uint64{x.opts.Seed, uint64(run), uint64(pos.Line), uint64(pos.Col), uint64(d), uint64(instance)} {
		binary.LittleEndian.PutUint64(b[:], n)
		h.Write(b[:])
	}
	io.WriteString(h, key)
	return 2*float64(h.Sum64()>>11)/float64(1<<53) - 1
}

// explain finds the swaps of o against the baseline, and which steps decide each: a step decides
// a swap when one of the trials that gave o, re-run with that step's durations as written, undoes
// it. When no single step does, pairs of steps are tried.
func (x *explorer) explain(o *Ordering, base []Unit) error {
	swaps := inversions(base, o.Units)
	if len(swaps) > maxSwaps {
		o.More = len(swaps) - maxSwaps
		swaps = swaps[:maxSwaps]
	}
	o.Swaps = swaps
	for _, ex := range o.examples {
		if err := x.explainBy(swaps, ex); err != nil {
			return err
		}
	}
	return nil
}

// explainBy adds to swaps the deciders that re-runs of one trial find.
func (x *explorer) explainBy(swaps []Swap, ex trial) error {
	res, err := x.run(ex)
	if err != nil {
		return err
	}
	var steps []Decider
	for _, p := range res.used {
		steps = append(steps, Decider{Pos: p.pos, Key: p.key, D: p.d})
	}
	// undone re-runs t and reports, per swap, whether it is undone.
	undone := func(t trial) ([]bool, error) {
		res, err := x.run(t)
		if err != nil {
			return nil, err
		}
		out := make([]bool, len(swaps))
		for j, s := range swaps {
			out[j] = !before(res.units, s.First, s.Second)
		}
		return out, nil
	}
	add := func(j int, together bool, ds ...Decider) {
		s := &swaps[j]
		if s.Together && !together && len(s.DecidedBy) > 0 {
			s.DecidedBy = nil // a decider alone beats a pair
		}
		if !together {
			s.Together = false
		} else if len(s.DecidedBy) == 0 {
			s.Together = true
		} else if !s.Together {
			return // single deciders are known: pairs add nothing
		}
		for _, d := range ds {
			if !slices.Contains(s.DecidedBy, d) {
				s.DecidedBy = append(s.DecidedBy, d)
			}
		}
	}
	if ex.reversed {
		t := ex
		t.reversed = false
		u, err := undone(t)
		if err != nil {
			return err
		}
		for j := range swaps {
			if u[j] {
				add(j, false, Decider{Key: "tie"})
			}
		}
	}
	for _, d := range steps {
		t := ex
		t.off = []stepKey{{d.Pos, d.Key}}
		u, err := undone(t)
		if err != nil {
			return err
		}
		for j := range swaps {
			if u[j] {
				add(j, false, d)
			}
		}
	}
	const maxPairs = 12 // steps beyond which pairs are not tried
	if len(steps) > maxPairs {
		return nil
	}
	for a := range steps {
		for b := a + 1; b < len(steps); b++ {
			open := false
			for j := range swaps {
				open = open || len(swaps[j].DecidedBy) == 0 || swaps[j].Together
			}
			if !open {
				return nil
			}
			t := ex
			t.off = []stepKey{{steps[a].Pos, steps[a].Key}, {steps[b].Pos, steps[b].Key}}
			u, err := undone(t)
			if err != nil {
				return err
			}
			for j := range swaps {
				if u[j] && (len(swaps[j].DecidedBy) == 0 || swaps[j].Together) {
					add(j, true, steps[a], steps[b])
				}
			}
		}
	}
	return nil
}
