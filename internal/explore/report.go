package explore

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/looptest/looptest/internal/words"
)

// Write prints the report for a person: a verdict line, the races with what decides them, and
// how often each ordering appeared.
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
	for i, race := range r.Races {
		fmt.Fprintf(w, "  %d. %s\n     and %s\n", i+1, race.First, race.Second)
		names := make([]string, len(race.DecidedBy))
		for j, d := range race.DecidedBy {
			names[j] = d.String()
		}
		decided := "several timings together"
		switch {
		case len(names) > 0 && race.Together:
			decided = strings.Join(names, " and ") + " together"
		case len(names) > 0:
			decided = strings.Join(names, ", ")
		}
		fmt.Fprintf(w, "     swapped in %d of %d runs, decided by %s\n", race.Runs, total, decided)
	}
	fmt.Fprintf(w, "orderings:\n")
	for i, o := range r.Orderings {
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
			what = words.Plural(len(ids), "race") + " " + strings.Join(ids, ", ") + " the other way"
			if o.More > 0 {
				what += fmt.Sprintf(", and %d more %s", o.More, words.Plural(o.More, "swap"))
			}
		}
		fmt.Fprintf(w, "  %2d. %3d %s (%2.0f%%): %s\n", i+1, count, words.Plural(count, "run"), 100*float64(count)/float64(total), what)
	}
}
