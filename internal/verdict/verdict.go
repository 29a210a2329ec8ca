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
	// Fail: the ordering differs where no lateness explains it: a line missing or extra with
	// no late neighbour to account for it, two lines that the virtual clock prints at one
	// instant (within Granularity) and that came within Noise of each other's lateness, whose
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
	Missing []Gap    // lines of the golden that did not come
	Extra   []Gap    // lines that came and are not in the golden
	Got     []string // the ordering that came
}

// A Gap is a line that one ordering has and the other has not, with the neighbour whose
// lateness may explain it. A line is extra when what should have stopped it came late: an
// interval ticks once more when the callback that clears it comes after the tick, so an extra
// line is explained when the line after it in the run came late by Noise or more and the extra
// line came after that one was due (had it come on time, it would have come first). A line is
// missing when what should have printed it came so late that something else stopped it first:
// an interval's last tick, delayed past the timer that clears it, so a missing line is
// explained when the line before it in the golden came later than the margin to the line
// after it, and by Noise or more.
type Gap struct {
	Line      Evidence  // Want for a missing line (Got is zero), Got for an extra one (Want is zero)
	Neighbour *Evidence // the late line that explains it, or the one that does not; nil if none
	Margin    time.Duration
	Explained bool
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
	inWant := make(map[key]int, len(want))
	var common []int // indexes in want of the lines got has too, in want's order
	for i, k := range wantKeys {
		inWant[k] = i
		if _, ok := inGot[k]; ok {
			common = append(common, i)
		}
	}
	// evidence of the line at index i of want, which got has too.
	evidence := func(i int) *Evidence {
		return &Evidence{want[i].Text, want[i].At, got[inGot[wantKeys[i]]].At}
	}
	for i, k := range wantKeys {
		if _, ok := inGot[k]; ok {
			continue
		}
		g := Gap{Line: Evidence{Text: k.text, Want: want[i].At}}
		// The line before it in the golden that came, and the margin to the next one that came.
		for p := i - 1; p >= 0; p-- {
			if _, ok := inGot[wantKeys[p]]; ok {
				g.Neighbour = evidence(p)
				break
			}
		}
		for n := i + 1; n < len(want); n++ {
			if _, ok := inGot[wantKeys[n]]; ok {
				g.Margin = want[n].At - want[i].At
				break
			}
		}
		g.Explained = g.Neighbour != nil && g.Neighbour.Late() >= max(Noise, g.Margin)
		j.Missing = append(j.Missing, g)
	}
	for gi, k := range gotKeys {
		if _, ok := inWant[k]; ok {
			continue
		}
		g := Gap{Line: Evidence{Text: k.text, Got: got[gi].At}}
		for n := gi + 1; n < len(got); n++ { // the next line of the run that the golden has
			if wi, ok := inWant[gotKeys[n]]; ok {
				g.Neighbour = evidence(wi)
				g.Margin = g.Line.Got - g.Neighbour.Want
				g.Explained = g.Neighbour.Late() >= Noise && g.Margin >= 0
				break
			}
		}
		j.Extra = append(j.Extra, g)
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
	unexplained := func(g Gap) bool { return !g.Explained }
	if slices.ContainsFunc(j.Missing, unexplained) || slices.ContainsFunc(j.Extra, unexplained) ||
		slices.ContainsFunc(j.Swaps, func(s Swap) bool { return !s.Explained }) {
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
			why = fmt.Sprintf("the virtual clock prints them at one instant, and they came within %v of each other's lateness: "+
				"their order is the rules', no lateness explains it", Noise)
		}
		fmt.Fprintf(w, "  swapped: %q (at %v, came at %v, %s)\n", s.First.Text, s.First.Want, s.First.Got, lateness(s.First))
		fmt.Fprintf(w, "     and:  %q (at %v, came at %v, %s)\n", s.Second.Text, s.Second.Want, s.Second.Got, lateness(s.Second))
		fmt.Fprintf(w, "     %s\n", why)
	}
	for _, m := range j.Missing {
		fmt.Fprintf(w, "  missing: %q (at %v)\n", m.Line.Text, m.Line.Want)
		switch n := m.Neighbour; {
		case n == nil:
			fmt.Fprintf(w, "     no line before it came, so no lateness explains it\n")
		case m.Explained:
			fmt.Fprintf(w, "     the line before it, %q (at %v), came %v late, past the %v to the next line: load explains it\n",
				n.Text, n.Want, n.Late().Round(10*time.Microsecond), m.Margin)
		default:
			fmt.Fprintf(w, "     the line before it, %q (at %v), came %s, within the %v to the next line (or under %v): no lateness explains it\n",
				n.Text, n.Want, lateness(*n), m.Margin, Noise)
		}
	}
	for _, e := range j.Extra {
		fmt.Fprintf(w, "  extra: %q (came at %v)\n", e.Line.Text, e.Line.Got)
		switch n := e.Neighbour; {
		case n == nil:
			fmt.Fprintf(w, "     no line of the golden came after it, so no lateness explains it\n")
		case e.Explained:
			fmt.Fprintf(w, "     the line after it, %q (at %v), came %v late: on time it would have come first: load explains it\n",
				n.Text, n.Want, n.Late().Round(10*time.Microsecond))
		case n.Late() < Noise:
			fmt.Fprintf(w, "     the line after it, %q (at %v), came %s: no lateness explains it\n", n.Text, n.Want, lateness(*n))
		default:
			fmt.Fprintf(w, "     it came %v before the line after it, %q, was due (at %v): no lateness explains it\n",
				-e.Margin, n.Text, n.Want)
		}
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
