// Package explore finds the orderings a scenario can produce when its timings wobble, before a
// golden file flakes in CI.
//
// It runs the scenario many times under the virtual clock. Every cost, delay and block is
// perturbed by a random jitter, independently at each use: they stand for I/O and CPU work, whose
// length changes from machine to machine. Timer delays are not perturbed unless asked: Node.js
// fires a timer at its deadline, and what moves a timer against other events is when it is
// armed, which follows from the perturbed work before it; perturbing delays reports races that
// cannot happen, such as 50 ms + 50 ms against 100 ms. With Options.Timers they are perturbed
// too, with one factor per list in a run (a delay's whole milliseconds, at least 1), because
// Node.js keeps the timers of one list in the order they were armed. A cost or delay of 0 takes up to
// IOTime: a fs request or an HTTP exchange always takes some time. Main and every callback take
// time to run too, main's spread over its steps, since Node.js reads the clock afresh at each
// setTimeout. Half of the runs also reverse the order of completions due at the same instant.
// Each distinct ordering is reported with how often it appeared, the pairs of log lines that
// swap against the unperturbed ordering, the lines it prints more or fewer times, and the steps
// whose timings decide each: a step decides a swap when running that same perturbed run with the
// step's durations unperturbed undoes the swap.
//
// Memory and time grow with the steps that run as n log n: the pairs that swap are counted, not
// listed, and the steps that decide are found by halving when there are many.
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
	Timers bool    // perturb timer delays too, one factor per list: a delay's whole milliseconds, at least 1
	// MainTime bounds how long main takes to run, Node.js's start-up before its first
	// iteration included: each run draws it from [0, MainTime]. 0 means DefaultMainTime.
	MainTime time.Duration
	// CallbackTime bounds how long every other callback takes to run: each run draws each
	// callback's time from [0, CallbackTime]. 0 means DefaultCallbackTime.
	CallbackTime time.Duration
	// StepTime bounds how long each step of main takes to run: each run draws each step's
	// time from [0, StepTime], on top of MainTime. 0 means DefaultStepTime.
	StepTime time.Duration
	// Aligned starts main right after the loop's clock ticks, as the programs that looptest
	// makes for Node.js do so that their goldens hold: no part of main's time comes before its
	// first step. Without it, main begins anywhere in a millisecond, as a plain program does.
	Aligned bool
	// IOTime bounds how long a cost or delay written as 0 takes: each use draws it from
	// [0, IOTime], as a fs request or an HTTP exchange always takes some time. 0 means
	// DefaultIOTime.
	IOTime time.Duration
	// Stop, once closed, stops the exploration: the run under way stops as a guard stops it,
	// and Explore returns its error.
	Stop <-chan struct{}
}

// The default bounds of the time callbacks take. Node.js's loop counts whole milliseconds, so
// what matters is whether main's run and start-up cross one: they often do (a 0 ms timeout
// armed in main runs before an immediate armed with it in about a third of Node.js's runs). A
// callback's own code is shorter; half a millisecond is a generous bound for a scenario's
// callbacks, which log and arm.
//
// Main's steps take time too, and Node.js reads the clock afresh at each setTimeout: four
// timeouts armed one after the other in main started in more than one millisecond in 9 of 30
// runs of Node.js v20 here, a millisecond ending between two given calls in about one run in
// ten. A step of main takes up to 200 µs, which gives about those odds.
//
// A cost or delay of 0 is no jitter of 0: Node.js's fs requests and HTTP exchanges take time
// however fast the file or the server. An HTTP exchange with a server on the same machine took
// 0.8 to 1.5 ms in Node.js v20 here, and the first fs.readFile of a run, which starts the pool's
// threads, 1.6 ms or more (later ones 90 to 170 µs): a millisecond bounds what a zero-duration
// step takes.
const (
	DefaultMainTime     = 2 * time.Millisecond
	DefaultCallbackTime = 500 * time.Microsecond
	DefaultStepTime     = 200 * time.Microsecond
	DefaultIOTime       = time.Millisecond
)

// Report is what an exploration found.
type Report struct {
	File      string
	Runs      int
	Jitter    float64
	Seed      uint64
	Orderings []*Ordering // the unperturbed one first, then by how often they appeared
	Races     []*Race     // the pairs of callbacks that swap, the most frequent first
	Changes   []*Change   // the callbacks that log in some runs only, the most frequent first
}

// A Race is a pair of callbacks whose order changes when timings wobble.
type Race struct {
	First, Second Unit // in the unperturbed order
	Runs          int  // how many runs had them the other way round
	explained          // every step that decided it in some ordering
}

// A Change is a callback that logs in some runs and not in others, or more times: an interval
// that ticks once more before it is cleared.
type Change struct {
	Unit  Unit
	Extra bool // the runs log it more times than the unperturbed one; otherwise fewer
	Times int  // how many times more or fewer, in one ordering
	Runs  int  // how many runs did
	explained
}

// explained is what decides a race or a change: the steps whose timings decide it alone, or
// (Together) the ones that decide it together when none does alone.
type explained struct {
	DecidedBy []Decider
	Together  bool
}

// merge adds what decided one occurrence to what decides them all: steps alone beat steps
// together.
func (e *explained) merge(o explained) {
	if len(o.DecidedBy) > 0 && !o.Together && e.Together {
		e.Together, e.DecidedBy = false, nil
	}
	if o.Together == e.Together {
		for _, d := range o.DecidedBy {
			if !slices.Contains(e.DecidedBy, d) {
				e.DecidedBy = append(e.DecidedBy, d)
			}
		}
	}
}

// add notes that ds decide it, alone or together.
func (e *explained) add(together bool, ds ...Decider) {
	if e.Together && !together && len(e.DecidedBy) > 0 {
		e.DecidedBy = nil // a decider alone beats a pair
	}
	if !together {
		e.Together = false
	} else if len(e.DecidedBy) == 0 {
		e.Together = true
	} else if !e.Together {
		return // single deciders are known: pairs add nothing
	}
	for _, d := range ds {
		if !slices.Contains(e.DecidedBy, d) {
			e.DecidedBy = append(e.DecidedBy, d)
		}
	}
}

// open reports whether no step is known to decide it alone.
func (e *explained) open() bool { return len(e.DecidedBy) == 0 || e.Together }

// Stable reports whether every run gave the same ordering.
func (r *Report) Stable() bool { return len(r.Orderings) == 1 }

// Ordering is one distinct ordering and what makes it differ from the unperturbed one.
type Ordering struct {
	Lines       []string
	Units       []Unit // the callbacks that logged, in the order they ran
	Count       int
	Baseline    bool     // the unperturbed ordering
	Swaps       []Swap   // pairs of lines in the other order than in the baseline, nearest first
	More        int      // swaps not listed
	Changes     []Change // callbacks that log less or more often than in the baseline
	MoreChanges int      // changes not listed
	examples    []trial  // the first trials that gave it, whose re-runs explain it
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
	First, Second Unit // First ran before Second here; the baseline had Second first
	explained          // the steps whose timings decide it, alone or (Together) jointly
}

// Decider is a step whose timing decides a swap, or a tie at one instant when Key is "tie".
type Decider struct {
	Pos harness.Pos
	Key string        // cost, delay, block, timeout, interval, run (a callback's time), main, stdout, main's end, http, connect, latency, or tie
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
	case "main's end":
		return fmt.Sprintf("%s:%d (the first line after main, after Node.js finishes main, %v)", d.Pos.File, d.Pos.Line, d.D)
	case "http":
		return fmt.Sprintf("%s:%d (the first request's set-up of the HTTP client, %v)", d.Pos.File, d.Pos.Line, d.D)
	case "connect":
		return fmt.Sprintf("%s:%d (the first request's connect tick, %v)", d.Pos.File, d.Pos.Line, d.D)
	case "latency":
		return fmt.Sprintf("%s:%d (the request's round trip, %v)", d.Pos.File, d.Pos.Line, d.D)
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
	if opts.StepTime <= 0 {
		opts.StepTime = DefaultStepTime
	}
	if opts.IOTime <= 0 {
		opts.IOTime = DefaultIOTime
	}
	x := &explorer{s: s, opts: opts}
	rep := &Report{File: s.File, Runs: opts.Runs, Jitter: opts.Jitter, Seed: opts.Seed}

	base, err := x.run(trial{})
	if err != nil {
		return nil, err
	}
	x.mainSteps = base.mainSteps
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
	rep.Changes = changes(rep.Orderings[1:])
	return rep, nil
}

// changes gathers the lines that orderings miss or add, one per callback and direction.
func changes(orderings []*Ordering) []*Change {
	var cs []*Change
	type id struct {
		k     unitKey
		extra bool
	}
	byID := map[id]*Change{}
	for _, o := range orderings {
		for _, c := range o.Changes {
			k := id{c.Unit.key(), c.Extra}
			r := byID[k]
			if r == nil {
				r = &Change{Unit: c.Unit, Extra: c.Extra, explained: explained{Together: true}}
				byID[k] = r
				cs = append(cs, r)
			}
			r.Runs += o.Count
			r.merge(c.explained)
		}
	}
	slices.SortStableFunc(cs, func(a, b *Change) int { return b.Runs - a.Runs })
	return cs
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
				r = &Race{First: s.Second, Second: s.First, explained: explained{Together: true}}
				byPair[pair] = r
				rs = append(rs, r)
			}
			r.Runs += o.Count
			r.merge(s.explained)
		}
	}
	slices.SortStableFunc(rs, func(a, b *Race) int { return b.Runs - a.Runs })
	return rs
}

// result is what one trial gave.
type result struct {
	lines     []string
	units     []Unit
	used      []perturbed // the steps it perturbed, in the order they first used a duration
	mainSteps int         // how many times main's time was asked for: once per step, once at its end
}

func (r *result) key() string { return strings.Join(r.lines, "\n") }

type explorer struct {
	s         *harness.Scenario
	opts      Options
	mainSteps int // how many shares main's time is spread over, as the unperturbed run counts them
}

// perturbed is a step a trial perturbed, with the duration the scenario writes for it.
type perturbed struct {
	stepKey
	d time.Duration
}

// run runs one trial.
func (x *explorer) run(t trial) (*result, error) {
	var lines ordering.Lines
	var rec loop.Recorder
	res := &result{}
	opts := harness.RunOptions{Clock: "virtual", Lines: &lines, Recorder: &rec, Limits: harness.DefaultLimits, Stop: x.opts.Stop}
	if t.reversed {
		opts.Ties = loop.TiesReversed
	}
	off := make(map[stepKey]bool, len(t.off))
	for _, k := range t.off {
		off[k] = true
	}
	seen := map[stepKey]bool{}
	counts := map[stepKey]int{}
	var shares []float64 // the share of main's time of each of its steps, drawn at its first
	opts.Perturb = func(tm harness.Timing, d time.Duration) time.Duration {
		pos, key, timer := tm.Step, tm.Key, tm.Timer
		share := res.mainSteps
		if tm.Main {
			res.mainSteps++
		}
		if !t.perturb || timer && !x.opts.Timers {
			return d
		}
		if tm.Main {
			key = "main"
		}
		k := stepKey{pos, key}
		if !seen[k] {
			seen[k] = true
			res.used = append(res.used, perturbed{k, d})
		}
		if off[k] {
			return d
		}
		instance := counts[k]
		counts[k]++
		switch {
		case key == "main":
			if shares == nil {
				shares = x.mainShares(t.run, pos)
			}
			if share >= len(shares) {
				return 0
			}
			return time.Duration(shares[share])
		case key == "run":
			return time.Duration(float64(x.opts.CallbackTime) * (1 + x.unit(t.run, pos, key, d, instance)) / 2)
		case timer:
			// One factor per delay, timeouts and intervals alike: timers of one delay share
			// Node's list and keep the order they were armed in. The list is the delay's whole
			// milliseconds, at least 1: a 0 ms timer is a 1 ms timer.
			d = max(d.Truncate(time.Millisecond), time.Millisecond)
			u := x.unit(t.run, harness.Pos{}, "timer", d, 0)
			return time.Duration(float64(d) * (1 + x.opts.Jitter*u))
		case tm.SetUp:
			// How long Node.js takes to set stdout or its HTTP client up, or to run the first
			// connect tick, differs by machine by milliseconds: it is drawn from [0, 2d] in whole
			// milliseconds, so that what main does after it keeps its place within a millisecond
			// (which Aligned and the steps' own times decide), while a timer armed before it may
			// or may not be due when the loop begins.
			return time.Duration(float64(d) * (1 + x.unit(t.run, pos, key, d, instance))).Truncate(time.Millisecond)
		case key == "latency":
			// An HTTP round trip on loopback takes from well under a millisecond to several: it
			// is drawn from [0, 2d].
			return time.Duration(float64(d) * (1 + x.unit(t.run, pos, key, d, instance)))
		case key == "main's end":
			// Node.js finishes main before the first line after it in 0.4 to 0.8 ms, and the
			// time main takes already counts what follows it: it is drawn from [0, d].
			return time.Duration(float64(d) * (1 + x.unit(t.run, pos, key, d, instance)) / 2)
		case d == 0 && (key == "cost" || key == "delay"):
			// A fs request or an HTTP exchange takes time however fast it is written to be.
			return time.Duration(float64(x.opts.IOTime) * (1 + x.unit(t.run, pos, key, d, instance)) / 2)
		}
		return time.Duration(float64(d) * (1 + x.opts.Jitter*x.unit(t.run, pos, key, d, instance)))
	}
	if err := x.s.Ended(x.s.Run(opts)); err != nil {
		return nil, fmt.Errorf("%s: run %d: %w", x.s.File, t.run, err)
	}
	res.lines, res.units = lines.Texts(), units(rec.Events())
	return res, nil
}

// mainShares draws the time main takes in a run and spreads it over its steps. Main's time with
// Node.js's start-up is drawn from [0, MainTime] and split at a random point: the part before
// its first step is where in a millisecond main began, the rest is spent at its end. Each step
// but the first also waits, before it runs, the time the step before it took, drawn from
// [0, StepTime]: a timer armed later in main may start a millisecond later. Aligned, main begins
// at the start of a millisecond and all of main's time is spent at its end.
func (x *explorer) mainShares(run int, pos harness.Pos) []float64 {
	total := float64(x.opts.MainTime) * (1 + x.unit(run, pos, "main", 0, 0)) / 2
	split := (1 + x.unit(run, pos, "main start", 0, 0)) / 2
	shares := make([]float64, max(x.mainSteps, 1))
	for i := 1; i < len(shares)-1; i++ {
		shares[i] = float64(x.opts.StepTime) * (1 + x.unit(run, pos, "main step", 0, i)) / 2
	}
	switch {
	case len(shares) == 1:
		shares[0] = total
	case x.opts.Aligned:
		shares[len(shares)-1] = total
	default:
		shares[0], shares[len(shares)-1] = total*split, total*(1-split)
	}
	return shares
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

// maxChanges bounds the changes listed per ordering.
const maxChanges = 5

// explain finds the swaps and changes of o against the baseline, and which steps decide each:
// a step decides one when one of the trials that gave o, re-run with that step's durations as
// written, undoes it. When no single step does, pairs of steps are tried, then the smallest set
// of steps that undoes it together is looked for.
func (x *explorer) explain(o *Ordering, base []Unit) error {
	swaps, total := inversions(base, o.Units, maxSwaps)
	o.Swaps, o.More = swaps, total-len(swaps)
	o.Changes, o.MoreChanges = diff(base, o.Units, maxChanges)
	var facts []fact
	for i := range o.Swaps {
		s := &o.Swaps[i]
		facts = append(facts, fact{&s.explained, func(us []Unit) bool { return !before(us, s.First, s.Second) }})
	}
	for i := range o.Changes {
		c := &o.Changes[i]
		k, want := c.Unit.key(), count(base, c.Unit.key())
		facts = append(facts, fact{&c.explained, func(us []Unit) bool {
			if n := count(us, k); c.Extra {
				return n <= want
			} else {
				return n >= want
			}
		}})
	}
	for _, ex := range o.examples {
		if err := x.explainBy(facts, ex); err != nil {
			return err
		}
	}
	return nil
}

// A fact is a difference between an ordering and the baseline, with what decides it and whether
// a run's units undo it.
type fact struct {
	*explained
	undone func([]Unit) bool
}

// diff lists the callbacks that log fewer or more times in b than in a, the first k of them (those
// missing in a's order, then those extra in b's), and how many more there are.
func diff(a, b []Unit, k int) (cs []Change, more int) {
	inA, inB := map[unitKey]int{}, map[unitKey]int{}
	for _, u := range a {
		inA[u.key()]++
	}
	for _, u := range b {
		inB[u.key()]++
	}
	note := func(us []Unit, extra bool) {
		for _, u := range us {
			key := u.key()
			if na, nb := inA[key], inB[key]; extra && nb > na || !extra && na > nb {
				if len(cs) < k {
					cs = append(cs, Change{Unit: u, Extra: extra, Times: max(na-nb, nb-na)})
				} else {
					more++
				}
				inA[key], inB[key] = 0, 0 // counted once
			}
		}
	}
	note(a, false)
	note(b, true)
	return cs, more
}

// count returns how many of us have key k.
func count(us []Unit, k unitKey) int {
	n := 0
	for _, u := range us {
		if u.key() == k {
			n++
		}
	}
	return n
}

// The bounds of the re-runs that explain one trial. Up to maxExhaustive steps, each step is
// tried alone and, up to maxPairs, each pair; beyond, halves of the steps are tried and those
// that undo a difference are halved again, down to single steps. A difference that no step
// undoes alone is undone by all of them together, and then by fewer and fewer, within
// maxMinimise re-runs.
const (
	maxExhaustive = 64
	maxPairs      = 12
	maxBisect     = 256
	maxMinimise   = 64
)

// explainBy adds to facts the deciders that re-runs of one trial find.
func (x *explorer) explainBy(facts []fact, ex trial) error {
	res, err := x.run(ex)
	if err != nil {
		return err
	}
	var steps []Decider
	for _, p := range res.used {
		steps = append(steps, Decider{Pos: p.pos, Key: p.key, D: p.d})
	}
	// undone re-runs ex with the steps ds as written and reports, per fact, whether it is undone.
	undone := func(reversed bool, ds ...Decider) ([]bool, error) {
		t := ex
		t.reversed = reversed
		t.off = make([]stepKey, len(ds))
		for i, d := range ds {
			t.off[i] = stepKey{d.Pos, d.Key}
		}
		res, err := x.run(t)
		if err != nil {
			return nil, err
		}
		out := make([]bool, len(facts))
		for j, f := range facts {
			out[j] = f.undone(res.units)
		}
		return out, nil
	}
	if ex.reversed {
		u, err := undone(false)
		if err != nil {
			return err
		}
		for j := range facts {
			if u[j] {
				facts[j].add(false, Decider{Key: "tie"})
			}
		}
	}
	if len(steps) <= maxExhaustive {
		for _, d := range steps {
			u, err := undone(ex.reversed, d)
			if err != nil {
				return err
			}
			for j := range facts {
				if u[j] {
					facts[j].add(false, d)
				}
			}
		}
	} else if err := x.bisect(facts, steps, undone, ex.reversed); err != nil {
		return err
	}
	if len(steps) <= maxPairs {
		for a := range steps {
			for b := a + 1; b < len(steps); b++ {
				if !slices.ContainsFunc(facts, func(f fact) bool { return f.open() }) {
					return nil
				}
				u, err := undone(ex.reversed, steps[a], steps[b])
				if err != nil {
					return err
				}
				for j := range facts {
					if u[j] && facts[j].open() {
						facts[j].add(true, steps[a], steps[b])
					}
				}
			}
		}
	}
	for j := range facts {
		if len(facts[j].DecidedBy) > 0 {
			continue
		}
		if err := minimise(facts[j], j, steps, undone, ex.reversed); err != nil {
			return err
		}
	}
	return nil
}

// bisect finds the steps that decide a fact alone among many: it re-runs with half of them as
// written, and halves again those halves that undo a fact still open, down to single steps. It
// trusts that a set of steps that holds a decider undoes what the decider undoes.
func (x *explorer) bisect(facts []fact, steps []Decider, undone func(bool, ...Decider) ([]bool, error), reversed bool) error {
	runs := 0
	var split func(ds []Decider) error
	split = func(ds []Decider) error {
		if runs >= maxBisect {
			return nil
		}
		runs++
		u, err := undone(reversed, ds...)
		if err != nil {
			return err
		}
		any := false
		for j := range facts {
			if !u[j] {
				continue
			}
			if len(ds) == 1 {
				facts[j].add(false, ds[0])
			} else if facts[j].open() {
				any = true
			}
		}
		if !any || len(ds) == 1 {
			return nil
		}
		if err := split(ds[:len(ds)/2]); err != nil {
			return err
		}
		return split(ds[len(ds)/2:])
	}
	return split(steps)
}

// minimise looks for a small set of steps that undoes fact j together: all of them, if they do,
// then without each half, quarter, and so on down to single steps, as long as what is left
// still undoes it.
func minimise(f fact, j int, steps []Decider, undone func(bool, ...Decider) ([]bool, error), reversed bool) error {
	u, err := undone(reversed, steps...)
	if err != nil || !u[j] {
		return err
	}
	set, runs := slices.Clone(steps), 1
	for chunk := max(len(set)/2, 1); ; chunk /= 2 {
		for i := 0; i < len(set) && len(set) > 1 && runs < maxMinimise; {
			rest := slices.Concat(set[:i], set[min(i+chunk, len(set)):])
			runs++
			u, err := undone(reversed, rest...)
			if err != nil {
				return err
			}
			if u[j] {
				set = rest
			} else {
				i += chunk
			}
		}
		if chunk == 1 {
			break
		}
	}
	f.add(len(set) > 1, set...)
	return nil
}
