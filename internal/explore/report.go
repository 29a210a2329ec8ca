package explore

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/looptest/looptest/internal/words"
)

// The bounds of what a report lists: the rest is counted.
const (
	maxRaces     = 20
	maxOrderings = 30
)

// Write prints the report for a person: a verdict line, the races with what decides them, the
// lines some runs miss or add, and how often each ordering appeared.
func (r *Report) Write(w io.Writer) {
	verdict := "stable"
	if !r.Stable() {
		verdict = "timing-sensitive"
	}
	total := r.Runs + 1
	fmt.Fprintf(w, "%s: %s: %d %s in %d runs (jitter ±%g%%, seed %d)\n", r.File, verdict,
		len(r.Orderings), words.Plural(len(r.Orderings), "ordering"), total, math.Round(r.Jitter*1000)/10, r.Seed)
	if r.Stable() {
		return
	}
	fmt.Fprintf(w, "races, the pairs of callbacks whose order changes:\n")
	if len(r.Races) == 0 {
		fmt.Fprintf(w, "  none: the orderings differ in which lines they print\n")
	}
	for i, race := range r.Races {
		if i == maxRaces {
			fmt.Fprintf(w, "  and %d more %s\n", len(r.Races)-i, words.Plural(len(r.Races)-i, "race"))
			break
		}
		fmt.Fprintf(w, "  %d. %s\n     and %s\n", i+1, race.First, race.Second)
		fmt.Fprintf(w, "     swapped in %d of %d runs%s, decided by %s\n", race.Runs, total, odds(race.Runs, total), race.decided())
	}
	if len(r.Changes) > 0 {
		fmt.Fprintf(w, "lines printed in some runs only:\n")
		for i, c := range r.Changes {
			if i == maxRaces {
				fmt.Fprintf(w, "  and %d more\n", len(r.Changes)-i)
				break
			}
			what := "missing"
			if c.Extra {
				what = "extra"
			}
			fmt.Fprintf(w, "  %d. %s\n     %s in %d of %d runs%s, decided by %s\n", i+1, c.Unit, what, c.Runs, total, odds(c.Runs, total), c.decided())
		}
	}
	fmt.Fprintf(w, "orderings:\n")
	for i, o := range r.Orderings {
		if i == maxOrderings {
			runs := 0
			for _, o := range r.Orderings[i:] {
				runs += o.Count
			}
			fmt.Fprintf(w, "  and %d more orderings, %d %s (%s)\n", len(r.Orderings)-i, runs, words.Plural(runs, "run"), percent(runs, total))
			break
		}
		count := o.Count
		what := "the unperturbed ordering"
		if o.Baseline {
			count++
		} else {
			var ids []string
			for _, s := range o.Swaps {
				for k, race := range r.Races {
					if race.First.key() == s.Second.key() && race.Second.key() == s.First.key() {
						ids = append(ids, fmt.Sprint(k+1))
					}
				}
			}
			var parts []string
			if len(ids) > 0 || len(o.Changes) == 0 {
				parts = append(parts, words.Plural(len(ids), "race")+" "+strings.Join(ids, ", ")+" the other way")
			}
			if o.More > 0 {
				parts = append(parts, fmt.Sprintf("and %s more %s", thousands(o.More), words.Plural(o.More, "swap")))
			}
			for _, c := range o.Changes {
				what := "missing"
				if c.Extra {
					what = "extra"
				}
				if c.Times > 1 {
					what += fmt.Sprintf(" %d times", c.Times)
				}
				parts = append(parts, fmt.Sprintf("%s %s", c.Unit, what))
			}
			if o.MoreChanges > 0 {
				parts = append(parts, fmt.Sprintf("and %d more %s missing or extra", o.MoreChanges, words.Plural(o.MoreChanges, "line")))
			}
			what = strings.Join(parts, ", ")
		}
		fmt.Fprintf(w, "  %2d. %3d %s (%3s): %s\n", i+1, count, words.Plural(count, "run"), percent(count, total), what)
	}
}

// decided names what decides a race or a change.
func (e *explained) decided() string {
	names := make([]string, len(e.DecidedBy))
	for j, d := range e.DecidedBy {
		names[j] = d.String()
	}
	switch {
	case len(names) > 0 && e.Together:
		return strings.Join(names, " and ") + " together"
	case len(names) > 0:
		return strings.Join(names, ", ")
	}
	return "several timings together"
}

// odds returns the share of n in total runs, as " (62% of runs)".
func odds(n, total int) string { return " (" + percent(n, total) + " of runs)" }

// percent returns n of total as a whole percentage, "<1%" rather than 0% when n is not 0 and
// ">99%" rather than 100% when n is not total.
func percent(n, total int) string {
	p := math.Round(100 * float64(n) / float64(total))
	switch {
	case p == 0 && n > 0:
		return "<1%"
	case p == 100 && n < total:
		return ">99%"
	}
	return fmt.Sprintf("%.0f%%", p)
}

// thousands writes n with a comma between each group of three digits: 1,234.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
