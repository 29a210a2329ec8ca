// Package verdict judges an ordering that a real clock or a real runtime gave against the
// golden, with the evidence of how late each line came against the virtual run of the same file:
// an order that load can explain is inconclusive, one it cannot is a failure.
package verdict

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/looptest/looptest/internal/ordering"
	"github.com/looptest/looptest/internal/words"
)

// A Verdict is what a comparison found.
type Verdict int

const (
	// Pass: the ordering is the golden's.
	Pass Verdict = iota
	// Inconclusive: the ordering differs, but only where an event came later than the margin
	// the scenario gave it: a loaded machine can do that, so the run says nothing.
	Inconclusive
	// Fail: the ordering differs where no lateness explains it: lines that are missing or
	// extra, two lines that the virtual clock prints at one instant (within Granularity), whose
	// order is the rules' and not time's, or a line that came early, which load cannot do.
	Fail
)

func (v Verdict) String() string {
	return [...]string{"pass", "inconclusive (load)", "failure"}[v]
}

// Granularity is the margin under which two lines are at one instant: Node.js's clock counts
// whole milliseconds, so lines less than one apart are ordered by the rules alone.
const Granularity = time.Millisecond

// A Judgement is a verdict with its evidence.
type Judgement struct {
	Verdict Verdict
	Swaps   []Swap   // the pairs of lines that came the other way round, nearest first
	Missing []string // lines of the golden that did not come
	Extra   []string // lines that came and are not in the golden
	Got     []string // the ordering that came
}

// A Swap is a pair of lines that the golden has in one order and the run in the other.
type Swap struct {
	First, Second Evidence // in the golden's order
	// Explained says that load explains the swap: the second came no earlier than it should
	// (Early allows), and the first came later than the margin between them; when the virtual
	// clock prints them at one instant (within Granularity), later by more than Noise, or their
	// order is the rules', not time's.
	Explained bool
}

// Early is how much earlier than in the virtual run a line may come and still be on time: the
// real run's start and the pool's calibrated costs are that close to the virtual clock's.
func Early(want time.Duration) time.Duration { return 5*time.Millisecond + want/20 }

// Noise is how far apart two lines of one instant may come on a machine that is not loaded.
const Noise = 2 * time.Millisecond

// Margin is how far apart the virtual run printed the two lines.
func (s Swap) Margin() time.Duration { return s.Second.Want - s.First.Want }

// Evidence is when a line came, in the virtual run and in the real one.
type Evidence struct {
	Text      string
	Want, Got time.Duration
}

// Late is how much later than in the virtual run the line came.
func (e Evidence) Late() time.Duration { return e.Got - e.Want }

// maxSwaps bounds the swaps a judgement keeps.
const maxSwaps = 10

// Judge compares got with want, the virtual run's lines, whose text is the golden's.
func Judge(want, got ordering.Lines) Judgement {
	j := Judgement{Got: make([]string, len(got))}
	for i, l := range got {
		j.Got[i] = l.Text
	}
	if slices.EqualFunc(want, got, func(a, b ordering.Line) bool { return a.Text == b.Text }) {
		return j
	}
	// Tell a line from its repeats by how many times its text came before it.
	type key struct {
		text string
		n    int
	}
	keys := func(ls ordering.Lines) []key {
		seen := map[string]int{}
		ks := make([]key, len(ls))
		for i, l := range ls {
			ks[i] = key{l.Text, seen[l.Text]}
			seen[l.Text]++
		}
		return ks
	}
	wantKeys, gotKeys := keys(want), keys(got)
	inGot := make(map[key]int, len(got))
	for i, k := range gotKeys {
		inGot[k] = i
	}
	inWant := make(map[key]bool, len(want))
	var common []int // indexes in want of the lines got has too, in want's order
	for i, k := range wantKeys {
		inWant[k] = true
		if _, ok := inGot[k]; ok {
			common = append(common, i)
		} else {
			j.Missing = append(j.Missing, k.text)
		}
	}
	for _, k := range gotKeys {
		if !inWant[k] {
			j.Extra = append(j.Extra, k.text)
		}
	}
	for d := 1; d < len(common) && len(j.Swaps) < maxSwaps; d++ {
		for x := 0; x+d < len(common) && len(j.Swaps) < maxSwaps; x++ {
			a, b := common[x], common[x+d]
			ga, gb := inGot[wantKeys[a]], inGot[wantKeys[b]]
			if ga < gb {
				continue
			}
			s := Swap{
				First:  Evidence{want[a].Text, want[a].At, got[ga].At},
				Second: Evidence{want[b].Text, want[b].At, got[gb].At},
			}
			onTime := -s.Second.Late() <= Early(s.Second.Want)
			apart := s.Margin() >= Granularity || s.First.Late()-s.Second.Late() >= Noise
			s.Explained = onTime && apart
			j.Swaps = append(j.Swaps, s)
		}
	}
	j.Verdict = Inconclusive
	if len(j.Missing) > 0 || len(j.Extra) > 0 || slices.ContainsFunc(j.Swaps, func(s Swap) bool { return !s.Explained }) {
		j.Verdict = Fail
	}
	return j
}

// Write prints the judgement for a person: the verdict, then its evidence, one line each.
func (j Judgement) Write(w io.Writer) {
	fmt.Fprintf(w, "verdict: %s\n", j.Verdict)
	for _, s := range j.Swaps {
		var why string
		switch {
		case s.Explained:
			why = fmt.Sprintf("the virtual clock prints them %v apart, and the first came later than that: load explains it", s.Margin())
		case -s.Second.Late() > Early(s.Second.Want):
			why = "the second came early, which load cannot do"
		default:
			why = "the virtual clock prints them at one instant and both came on time: their order is the rules', no lateness explains it"
		}
		fmt.Fprintf(w, "  swapped: %q (at %v, came at %v, %s)\n", s.First.Text, s.First.Want, s.First.Got, lateness(s.First))
		fmt.Fprintf(w, "     and:  %q (at %v, came at %v, %s)\n", s.Second.Text, s.Second.Want, s.Second.Got, lateness(s.Second))
		fmt.Fprintf(w, "     %s\n", why)
	}
	for _, m := range j.Missing {
		fmt.Fprintf(w, "  missing: %q\n", m)
	}
	for _, e := range j.Extra {
		fmt.Fprintf(w, "  extra: %q\n", e)
	}
}

func lateness(e Evidence) string {
	if l := e.Late(); l >= 0 {
		return fmt.Sprintf("%v late", l.Round(10*time.Microsecond))
	}
	return fmt.Sprintf("%v early", (-e.Late()).Round(10*time.Microsecond))
}

// String returns what Write prints.
func (j Judgement) String() string {
	var b strings.Builder
	j.Write(&b)
	return b.String()
}

// MaxReruns bounds how many times Check runs a comparison again after an inconclusive one.
const MaxReruns = 3

// A Result is the outcome of Check: the verdict of its runs together, and each run's judgement.
type Result struct {
	Verdict Verdict
	Runs    []Judgement
}

// Check runs run and judges its lines against want; while the verdict is inconclusive, it runs
// it again, at most MaxReruns times. A failure fails at once, whatever came before: no rerun
// hides a difference that lateness does not explain. A run that passes passes the whole. When
// every run is inconclusive, so is the result, and each run's evidence is kept to be shown.
func Check(want ordering.Lines, run func() (ordering.Lines, error)) (Result, error) {
	var res Result
	for range 1 + MaxReruns {
		got, err := run()
		if err != nil {
			return res, err
		}
		j := Judge(want, got)
		res.Runs = append(res.Runs, j)
		if j.Verdict != Inconclusive {
			res.Verdict = j.Verdict
			return res, nil
		}
	}
	res.Verdict = Inconclusive
	return res, nil
}

// Write prints the result: each run's judgement that was not a pass, then the verdict.
func (r Result) Write(w io.Writer) {
	for i, j := range r.Runs {
		if j.Verdict == Pass {
			continue
		}
		fmt.Fprintf(w, "run %d of %d: ", i+1, len(r.Runs))
		j.Write(w)
	}
	fmt.Fprintf(w, "verdict after %d %s: %s\n", len(r.Runs), words.Plural(len(r.Runs), "run"), r.Verdict)
}

func (r Result) String() string {
	var b strings.Builder
	r.Write(&b)
	return b.String()
}
