package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/nodecheck"
	"github.com/looptest/looptest/internal/ordering"
	"github.com/looptest/looptest/internal/realcheck"
	"github.com/looptest/looptest/internal/verdict"
	"github.com/looptest/looptest/internal/words"
)

func runCompat(c *cli, args []string) int {
	fs := c.flags("compat")
	runtimes := fs.String("runtimes", "node,bun,deno", "the runtimes to run each scenario in, `NAMES` separated by commas")
	runs := fs.Int("runs", 5, "how many times to run each scenario in each runtime")
	wall := fs.Duration("max-wall", nodecheck.DefaultTimeout, "stop a runtime's run, and the virtual run it is judged against, that takes longer than this `duration` in real time (0: no limit)")
	runtimeFlag(c, fs)
	run := runFlag(fs)
	if st := c.parse(fs, args); st >= 0 {
		return st
	}
	if *runs < 1 {
		fmt.Fprintln(c.stderr, "looptest compat: --runs must be at least 1")
		return exitInvalid
	}
	if *wall < 0 {
		fmt.Fprintln(c.stderr, "looptest compat: --max-wall must not be negative (0: no limit)")
		return exitInvalid
	}
	limits := harness.DefaultLimits
	limits.MaxWall = *wall
	// A stop (SIGINT, SIGTERM) kills the runs under way, and the runs not started do not start.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if c.stop != nil {
		go func() {
			select {
			case <-c.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{"scenarios"}
	}
	all, err := scenarioFiles(paths)
	if err != nil {
		fmt.Fprintf(c.stderr, "looptest compat: %v\n", err)
		return exitInvalid
	}
	files := c.filterRun("compat", all, *run)
	var rts []nodecheck.Runtime
	var rtErrs []error // why each runtime cannot run, or nil
	for _, name := range strings.Split(*runtimes, ",") {
		name = strings.TrimSpace(name)
		rt, err := c.runtime(name)
		if err != nil && c.runtimePaths[name] != "" {
			// One named with --runtime NAME=PATH was asked for: each of its cells is an error.
			rts, rtErrs = append(rts, nodecheck.Runtime{Name: name, Path: c.runtimePaths[name]}), append(rtErrs, err)
			continue
		}
		if err != nil {
			// A runtime that is not here is skipped with a message, never a failure.
			fmt.Fprintf(c.stderr, "looptest compat: skipping %s: %v\n", name, err)
			continue
		}
		rts, rtErrs = append(rts, rt), append(rtErrs, nil)
	}
	if len(rts) == 0 {
		fmt.Fprintf(c.stderr, "looptest compat: no runtime to run: install Node.js (apt-get install nodejs, or from nodejs.org), Bun and Deno with 'looptest runtimes install bun deno', or name one with --runtime NAME=PATH\n")
		return exitFailed
	}
	var scenarios []*harness.Scenario
	status := exitOK
	for _, f := range files {
		s, err := c.load(f)
		if err != nil {
			status = exitInvalid
			continue
		}
		scenarios = append(scenarios, s)
	}

	cells := make([][]compatCell, len(scenarios))
	// crowded[i]: the scenario keeps more threads busy at once than the machine has cores, so a
	// runtime's pool tasks (pbkdf2 runs that burn a core each) cannot hold their workers for
	// their cost: like a tight file, its ordering is reported, not failed (TestNode skips it).
	crowded := make([]int, len(scenarios))
	var wg sync.WaitGroup
	var done atomic.Int64
	begin := time.Now()
	prog := c.startProgress(func() string {
		return fmt.Sprintf("compat: %d/%d runs done, %s", done.Load(), len(scenarios)*len(rts)**runs, since(begin))
	})
	running := nodecheck.NewSlots(runtime.NumCPU())
	for i, s := range scenarios {
		cells[i] = make([]compatCell, len(rts))
		want, werr := realcheck.Virtual(s, limits, c.stop)
		load, _ := nodecheck.MeasureLoad(s) // a scenario that does not run is reported below
		if load.Threads > runtime.NumCPU() {
			crowded[i] = load.Threads
		}
		known := s.KnownDifferences
		for j, rt := range rts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cell := &cells[i][j]
				cell.known = known[rt.Name]
				if cell.err = cmp.Or(werr, rtErrs[j]); cell.err != nil {
					return
				}
				defer running.Take(load)()
				t := realcheck.Target{Runtime: &rt, Limits: limits, Stop: c.stop}
				for range *runs {
					if ctx.Err() != nil {
						cell.err = fmt.Errorf("%s: stopped", rt.Name)
						return
					}
					got, err := t.Lines(ctx, s)
					if err != nil && !judgeable(err, got) {
						cell.err = err
						return
					}
					cell.add(verdict.Judge(want, got))
					done.Add(1)
				}
			}()
		}
	}
	wg.Wait()
	prog.stop()

	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "scenario")
	for _, rt := range rts {
		fmt.Fprintf(tw, "\t%s", rt.Name)
	}
	fmt.Fprintln(tw)
	var details strings.Builder
	counts := map[string]map[string]int{}
	for i, s := range scenarios {
		fmt.Fprintf(tw, "%s", s.File)
		for j, rt := range rts {
			cell := cells[i][j]
			word := cell.word(s.Tight)
			if crowded[i] > 0 && cell.err == nil && word != "golden" {
				word = fmt.Sprintf("needs %d cores (%s)", crowded[i], orderings(len(cell.orderings)))
			}
			fmt.Fprintf(tw, "\t%s", word)
			if counts[rt.Name] == nil {
				counts[rt.Name] = map[string]int{}
			}
			counts[rt.Name][strings.Fields(word)[0]]++
			if cell.failing(s.Tight || crowded[i] > 0) {
				status = max(status, exitFailed)
			}
			if d := cell.detail(); d != "" {
				fmt.Fprintf(&details, "%s@%s:\n%s", s.File, rt.Name, indent(d))
			}
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	for _, rt := range rts {
		var parts []string
		for _, w := range []string{"golden", "inconclusive", "differs", "known", "unstable", "tight", "needs", "error"} {
			if n := counts[rt.Name][w]; n > 0 {
				if w == "needs" {
					w = "need more cores"
				}
				parts = append(parts, fmt.Sprintf("%d %s", n, w))
			}
		}
		fmt.Fprintf(c.stdout, "%s: %s\n", rt.Name, strings.Join(parts, ", "))
	}
	if details.Len() > 0 {
		fmt.Fprintf(c.stdout, "\n%s", details.String())
	}
	return status
}

// judgeable reports whether the ordering of a run that ended with err can be judged: the
// program failed, with status 1, after printing something (as it does when a step fails in that
// runtime, or when its uncaught error is worded otherwise). A run that printed nothing, exited
// with another status, died of a signal, did not start, ran out of time or was stopped gives
// no ordering to judge.
func judgeable(err error, got ordering.Lines) bool {
	var re *nodecheck.RunError
	return len(got) > 0 && errors.As(err, &re) && re.Err == nil && re.Status == 1
}

// A compatCell is what the runs of one scenario in one runtime gave.
type compatCell struct {
	orderings []string // the distinct orderings, in the order they came
	worst     verdict.Judgement
	runs      int
	known     string // the reason of a `# differs:` line for this runtime, or ""
	err       error
}

func (c *compatCell) add(j verdict.Judgement) {
	c.runs++
	key := strings.Join(j.Got, "\n")
	if !slices.Contains(c.orderings, key) {
		c.orderings = append(c.orderings, key)
	}
	if j.Verdict > c.worst.Verdict || c.runs == 1 {
		c.worst = j
	}
}

// word is the cell of the matrix: golden, differs (known), unstable (N orderings), ...
func (c compatCell) word(tight bool) string {
	switch {
	case c.err != nil:
		return "error"
	case c.worst.Verdict == verdict.Pass && len(c.orderings) == 1:
		return "golden"
	case tight:
		return fmt.Sprintf("tight (%s)", orderings(len(c.orderings)))
	case c.worst.Verdict == verdict.Fail && c.known != "":
		return "known difference"
	case c.worst.Verdict == verdict.Fail && len(c.orderings) == 1:
		return "differs"
	case c.worst.Verdict == verdict.Fail:
		return fmt.Sprintf("unstable (%s)", orderings(len(c.orderings)))
	}
	return "inconclusive (load)"
}

// failing reports a cell that fails compat: an error, a run that could not be judged, or an
// unrecorded difference, a failure verdict in a file not marked tight that no `# differs:` line
// records.
func (c compatCell) failing(tight bool) bool {
	return c.err != nil || !tight && c.known == "" && c.worst.Verdict == verdict.Fail
}

// orderings says how many orderings: 1 ordering, 2 orderings.
func orderings(n int) string { return fmt.Sprintf("%d %s", n, words.Plural(n, "ordering")) }

func (c compatCell) detail() string {
	switch {
	case c.err != nil:
		return c.err.Error() + "\n"
	case c.worst.Verdict == verdict.Pass:
		return ""
	}
	var b strings.Builder
	if c.known != "" {
		fmt.Fprintf(&b, "a known difference: %s\n", c.known)
	}
	if c.worst.Verdict == verdict.Inconclusive && c.runs > 1 && len(c.orderings) == 1 {
		// Load changes from run to run; a difference that does not may be the runtime's own.
		fmt.Fprintf(&b, "suspect: the same other ordering in all %d runs, which load seldom gives: look at it with a wider margin\n", c.runs)
	}
	b.WriteString(c.worst.String())
	return b.String()
}
