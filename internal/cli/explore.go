package cli

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/explore"
)

func runExplore(c *cli, args []string) int {
	fs := c.flags("explore")
	var opts explore.Options
	jitter := fs.String("jitter", "10%", "how much every cost, delay and block may wobble, as a `percentage` above 0% and at most 100%")
	fs.BoolVar(&opts.Timers, "timers", false, "perturb timer delays too, one factor per timer list, a delay's whole milliseconds, at least 1 (Node fires timers at their deadlines: this finds races a real clock may never show)")
	fs.IntVar(&opts.Runs, "runs", 200, "perturbed `runs`")
	fs.Uint64Var(&opts.Seed, "seed", 1, "the `seed` of the perturbations; the same seed gives the same report")
	run := runFlag(fs)
	if st := c.parse(fs, args); st >= 0 {
		return st
	}
	j, err := parsePercent(*jitter)
	if err != nil {
		fmt.Fprintf(c.stderr, "looptest explore: --jitter must be a percentage above 0%% and at most 100%%, such as 10%% (got %q): a duration perturbed by ±100%% is anywhere from 0 to twice its value\n", *jitter)
		return exitInvalid
	}
	if opts.Runs < 1 {
		fmt.Fprintf(c.stderr, "looptest explore: --runs must be at least 1 (got %d)\n", opts.Runs)
		return exitInvalid
	}
	opts.Jitter, opts.Stop = j, c.stop
	if fs.NArg() == 0 {
		fmt.Fprintln(c.stderr, "usage: looptest explore [flags] PATH...")
		return exitInvalid
	}
	all, err := scenarioFiles(fs.Args())
	if err != nil {
		fmt.Fprintf(c.stderr, "looptest explore: %v\n", err)
		return exitInvalid
	}
	files := c.filterRun("explore", all, *run)
	var current atomic.Value // the file being explored, for the progress line
	var n atomic.Int64
	begin := time.Now()
	prog := c.startProgress(func() string {
		file, _ := current.Load().(string)
		return fmt.Sprintf("explore: %d/%d, %s; exploring %s", n.Load(), len(files), since(begin), quoteName(file))
	})
	defer prog.stop()
	return c.eachScenario(files, func(s *harness.Scenario) int {
		current.Store(s.File)
		defer n.Add(1)
		rep, err := explore.Explore(s, opts)
		if err != nil {
			fmt.Fprintln(c.stderr, err)
			return exitFailed
		}
		prog.print(func() { rep.Write(c.stdout) })
		if !rep.Stable() {
			return exitFailed
		}
		return exitOK
	})
}

// parsePercent reads "10%", "10" or "0.5%" as a fraction, above 0 and at most 1.
func parsePercent(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || !(f > 0 && f <= 100) {
		return 0, fmt.Errorf("bad percentage %q", s)
	}
	return f / 100, nil
}
