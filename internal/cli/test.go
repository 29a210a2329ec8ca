package cli

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/looptest/looptest/golden"
	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/ordering"
	"github.com/looptest/looptest/internal/realcheck"
	"github.com/looptest/looptest/internal/verdict"
	"github.com/looptest/looptest/internal/words"
)

// testOptions are test's flags, once parsed.
type testOptions struct {
	clock   string     // --clock; "" keeps each scenario's own
	update  bool       // rewrite the goldens instead of comparing
	prune   bool       // with update, also remove the goldens that no scenario has
	explore bool       // also explore each scenario that passed
	shard   shard      // the part of the suite to run
	junit   string     // the file of a JUnit XML report, if any
	json    bool       // print go test -json events instead of the text
	run     *runFilter // -run: the scenarios to run, or nil for all
	watch   bool       // test again what changes, until interrupted
}

func runTest(c *cli, args []string) int {
	opts, paths, st := testFlags(c, args)
	if st >= 0 {
		return st
	}
	all, err := scenarioFiles(paths)
	if err != nil {
		fmt.Fprintf(c.stderr, "looptest test: %v\n", err)
		return exitInvalid
	}
	if opts.watch {
		return c.watch(paths, opts)
	}
	return c.testFiles(all, c.selected(all, opts), opts)
}

// selected returns the files of all, the scenarios that paths stand for, that test runs: those of
// the shard that -run matches.
func (c *cli) selected(all []scenarioFile, opts testOptions) []string {
	inShard := slices.DeleteFunc(slices.Clone(all), func(f scenarioFile) bool { return !opts.shard.has(f.path) })
	return c.filterRun("test", inShard, opts.run)
}

// testFiles tests files, printing each result as it comes, and returns the exit status. all
// are every scenario the paths stand for, whose goldens are kept.
func (c *cli) testFiles(all []scenarioFile, files []string, opts testOptions) int {
	if opts.json {
		files = groupByDir(files) // go test -json's events come by package
	}
	begin := time.Now()
	annot := c.stdout
	if opts.json {
		annot = c.stderr
	}
	rw := newResultWriter(c.stdout, annot, files, opts.json, c.colour, begin)
	var results []testResult // for --junit
	prog := newTestProgress(c, len(files), begin)
	testAll(files, opts, c.limits, c.stop, func(r testResult) {
		prog.print(func() { rw.add(r) })
		if opts.junit != "" {
			results = append(results, r)
		}
	}, prog.hooks())
	prog.stop()
	elapsed := time.Since(begin)
	t := rw.end()
	t.interrupted = stopped(c.stop)
	if !c.pruneOrWarn(filePaths(all), opts.prune) {
		t.invalid = true
	}
	summary := t.summary()
	if opts.json {
		io.WriteString(c.stderr, summary) // stdout holds go test -json's events alone
	} else {
		io.WriteString(c.stdout, summary)
	}
	if opts.junit != "" {
		if err := writeJUnit(opts.junit, results, elapsed); err != nil {
			fmt.Fprintf(c.stderr, "looptest test: --junit: %v\n", err)
			return exitInvalid
		}
	}
	switch {
	case t.invalid:
		return exitInvalid
	case t.failed > 0:
		return exitFailed
	}
	return exitOK
}

// testProgress is test's progress line: how many scenarios are done of how many, how many
// failed, and the one that has run longest, with its clock when real.
type testProgress struct {
	*progress
	mu      sync.Mutex
	total   int
	done    int
	failed  int
	begin   time.Time
	running map[string]time.Time // since when each running scenario runs
}

func newTestProgress(c *cli, total int, begin time.Time) *testProgress {
	tp := &testProgress{total: total, begin: begin, running: map[string]time.Time{}}
	tp.progress = c.startProgress(tp.status)
	return tp
}

func (tp *testProgress) hooks() testHooks {
	if tp.progress == nil {
		return testHooks{}
	}
	return testHooks{
		started: func(file string) {
			tp.mu.Lock()
			tp.running[file] = time.Now()
			tp.mu.Unlock()
		},
		finished: func(r testResult) {
			tp.mu.Lock()
			delete(tp.running, r.file)
			tp.done++
			if !r.ok && r.skipped == "" {
				tp.failed++
			}
			tp.mu.Unlock()
		},
	}
}

func (tp *testProgress) status() string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	s := fmt.Sprintf("test: %d/%d done", tp.done, tp.total)
	if tp.failed > 0 {
		s += fmt.Sprintf(", %d failed", tp.failed)
	}
	s += ", " + since(tp.begin)
	var oldest string
	for f, t := range tp.running {
		if oldest == "" || t.Before(tp.running[oldest]) || t.Equal(tp.running[oldest]) && f < oldest {
			oldest = f
		}
	}
	if oldest != "" {
		s += fmt.Sprintf("; running %s (%s)", quoteName(oldest), since(tp.running[oldest]))
	}
	return s
}

// testFlags parses test's command line into its options and the paths to test, returning the
// exit status to stop with, or -1 to go on.
func testFlags(c *cli, args []string) (testOptions, []string, int) {
	fs := c.flags("test")
	update := fs.Bool("update", false, "rewrite the golden files with the orderings the scenarios give, instead of comparing")
	prune := fs.Bool("prune", false, "with -update, also remove the .golden files that no scenario has")
	exploring := fs.Bool("explore", false, "also explore each scenario's timings: fail a scenario whose ordering changes when they wobble, unless it is marked '# timing: tight'")
	shardFlag := fs.String("shard", "", "run only the `K/N`-th part of the suite: N disjoint parts, by a hash of each file's path (for a CI matrix)")
	junit := fs.String("junit", "", "also write a JUnit XML report to `FILE`")
	jsonOut := fs.Bool("json", false, "print one JSON object per event, in the shape of go test -json, instead of the text")
	run := runFlag(fs)
	watch := fs.Bool("watch", false, fmt.Sprintf("test, then test again each scenario whose file or golden changes (looked at every %v), until interrupted", watchEvery))
	clock := clockFlag(fs)
	if st := c.parse(fs, args); st >= 0 {
		return testOptions{}, nil, st
	}
	if *watch && (*update || *junit != "" || *shardFlag != "") {
		fmt.Fprintln(c.stderr, "looptest test: --watch goes without -update, --junit and --shard")
		return testOptions{}, nil, exitInvalid
	}
	if !validClock(c, *clock) {
		return testOptions{}, nil, exitInvalid
	}
	sh, err := parseShard(cmp.Or(*shardFlag, "1/1"))
	if err != nil {
		fmt.Fprintf(c.stderr, "looptest test: %v\n", err)
		return testOptions{}, nil, exitInvalid
	}
	if *prune && !*update {
		fmt.Fprintln(c.stderr, "looptest test: --prune goes with -update")
		return testOptions{}, nil, exitInvalid
	}
	paths := fs.Args()
	if len(paths) == 0 {
		if _, err := os.Stat("scenarios"); err != nil {
			fmt.Fprintln(c.stderr, "looptest test: there is no scenarios/ directory here: pass the scenario files or directories to test (DIR/... for a whole tree)")
			return testOptions{}, nil, exitInvalid
		}
		paths = []string{"scenarios"}
	}
	opts := testOptions{clock: *clock, update: *update, prune: *prune, explore: *exploring, shard: sh, junit: *junit, json: *jsonOut, run: *run, watch: *watch}
	return opts, paths, -1
}

// stopped reports whether stop has closed: the run was interrupted.
func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// realRuns lets one real-clock run go at a time, while virtual ones run in parallel: a real
// ordering's margins are tens of milliseconds, and a second real run on a small machine eats
// into them.
var realRuns sync.Mutex

type testResult struct {
	file     string
	ok       bool
	invalid  bool   // the file did not load
	note     string // after ok: what -update did
	elapsed  time.Duration
	step     *harness.Source // the step whose output first differs from the golden, when known
	differs  string          // how the first differing line differs, for an annotation
	headline string          // the first difference from the golden, for a JUnit failure's message
	detail   string          // after FAIL: why
	skipped  string          // why it was not judged: a tight file on the real clock, an inconclusive run
	notRun   bool            // it did not start: the run was interrupted before
}

// testOne runs one scenario and compares its ordering with its golden, or rewrites the golden.
func testOne(file, clock string, update bool, limits harness.Limits, stop <-chan struct{}) testResult {
	res := testResult{file: file}
	s, err := harness.Load(file)
	if err != nil {
		res.detail, res.invalid = err.Error()+"\n", true
		return res
	}
	if (clock == "real" || clock == "" && s.Clock == "real") && !update {
		return testReal(res, s, limits, stop)
	}
	var out orderingBuffer
	opts := harness.RunOptions{Clock: clock, Out: &out, Limits: limits, Stop: stop}
	var lines ordering.Lines
	if githubActions() {
		opts.Lines = &lines // an annotation names the step that printed the first differing line
	}
	if err := s.Ended(s.Run(opts)); err != nil {
		res.detail = fmt.Sprintf("the run failed: %v\n", err) + soFar(out.Bytes())
		return res
	}
	path := GoldenPath(file)
	if update {
		if err := golden.Check(path, file, out.Bytes()); err == nil {
			res.ok = true
			return res
		}
		if err := golden.Write(path, out.Bytes()); err != nil {
			res.detail = err.Error() + "\n"
			return res
		}
		res.ok, res.note = true, " (updated "+path+")"
		return res
	}
	switch err := golden.Check(path, file, out.Bytes()); {
	case err == nil:
		res.ok = true
	case errors.Is(err, fs.ErrNotExist):
		res.detail = err.Error() + ": run 'looptest test -update " + file + "' to write it\n"
	default:
		var m *golden.MismatchError
		if errors.As(err, &m) {
			res.detail = string(m.Diff)
			res.headline = firstDifferenceLine(m.Golden, out.Bytes())
			if githubActions() {
				res.step, res.differs = firstDifference(lines, m.Golden, path)
			}
		} else {
			res.detail = err.Error() + "\n"
		}
	}
	return res
}

// firstDifference says where got, a run's lines, first differs from want, its golden's content:
// the step that printed the first differing line (nil when got ended before it, or printed no
// step), and how the lines differ.
func firstDifference(got ordering.Lines, want []byte, path string) (*harness.Source, string) {
	wl := ordering.Parse(want)
	i := max(ordering.FirstDifference(got, wl), 0)
	if i >= len(got) || i >= len(wl) {
		return nil, fmt.Sprintf("line %d of the ordering differs from %s", i+1, path)
	}
	step, _ := got[i].Step.(*harness.Source)
	return step, fmt.Sprintf("line %d of the ordering is %q, %s has %q", i+1, got[i].Text, path, wl[i].Text)
}

// firstDifferenceLine says where got, a run's ordering, first differs from want, its golden's:
// line 3: golden "a", got "b".
func firstDifferenceLine(want, got []byte) string {
	wl, gl := ordering.Parse(want), ordering.Parse(got)
	i := ordering.FirstDifference(gl, wl)
	switch {
	case i < 0:
		return "the ordering differs from the golden"
	case i < len(wl) && i < len(gl):
		return fmt.Sprintf("line %d: golden %q, got %q", i+1, wl[i].Text, gl[i].Text)
	case i < len(wl):
		return fmt.Sprintf("line %d: golden %q, got no more lines", i+1, wl[i].Text)
	}
	return fmt.Sprintf("line %d: the golden ends, got %q", i+1, gl[i].Text)
}

// testReal runs a scenario on the real clock and judges its ordering against its golden, with
// the evidence of how late each line came (verdict.Check). A file marked `# timing: tight` is
// skipped, as the agreement tests skip it; an ordering that load explains, run after run, is
// inconclusive and skipped with its evidence; one that load does not explain fails.
func testReal(res testResult, s *harness.Scenario, limits harness.Limits, stop <-chan struct{}) testResult {
	if s.Tight {
		res.skipped = "timing: tight: its ordering hinges on gaps under 20 ms, which a real clock does not keep"
		return res
	}
	realRuns.Lock()
	defer realRuns.Unlock()
	want, vr, err := realcheck.Check(context.Background(), s, realcheck.Target{Limits: limits, Stop: stop})
	if err != nil {
		res.detail = fmt.Sprintf("the run failed: %v\n", err)
		return res
	}
	path := GoldenPath(res.file)
	// The real run is judged against the virtual one, whose ordering must be the golden's.
	if err := golden.Check(path, res.file, want.Bytes()); err != nil {
		res.detail = "the virtual clock's ordering, which the real run is judged against, is not the golden's:\n" + mismatch(err)
		return res
	}
	last := vr.Runs[len(vr.Runs)-1]
	switch vr.Verdict {
	case verdict.Pass:
		res.ok = true
		if n := len(vr.Runs); n > 1 {
			res.note = fmt.Sprintf(" (after %d inconclusive %s)", n-1, words.Plural(n-1, "run"))
		}
	case verdict.Inconclusive:
		res.skipped = "inconclusive (load): the ordering differs only where a line came later than its margin\n" + indent(vr.String())
	default:
		got := ordering.Timed(last.Got, nil).Bytes()
		res.detail = mismatch(golden.Check(path, res.file+"@real", got)) + vr.String()
	}
	return res
}

// maxOrdering bounds an ordering that test and diff hold whole, to compare it or write it as a
// golden: run streams its ordering, so it has no such bound.
const maxOrdering = 64 << 20

// errOrderingTooBig stops a run whose ordering passes maxOrdering.
var errOrderingTooBig = fmt.Errorf("it passed %d MiB, more than a golden file may hold: shorten the scenario, or look at it with looptest run", maxOrdering>>20)

// orderingBuffer holds an ordering up to maxOrdering; a write past it fails, which stops the run.
type orderingBuffer struct{ bytes.Buffer }

func (b *orderingBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > maxOrdering {
		return 0, errOrderingTooBig
	}
	return b.Buffer.Write(p)
}

// mismatch says why a golden check failed: the diff, or the error.
func mismatch(err error) string {
	var m *golden.MismatchError
	if errors.As(err, &m) {
		return string(m.Diff)
	}
	if err == nil {
		return ""
	}
	return err.Error() + "\n"
}

// GoldenPath returns the golden file of a scenario file: NAME.yaml → NAME.golden.
func GoldenPath(file string) string {
	return strings.TrimSuffix(file, filepath.Ext(file)) + ".golden"
}

// soFarLines is how many of its last lines a failed run shows of its ordering.
const soFarLines = 10

// soFar shows the end of the ordering a failed run printed before it stopped.
func soFar(ordering []byte) string {
	if len(ordering) == 0 {
		return "it printed nothing\n"
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(ordering), "\n"), "\n")
	head := fmt.Sprintf("the ordering so far (%d %s):\n", len(lines), words.Plural(len(lines), "line"))
	if len(lines) > soFarLines {
		head = fmt.Sprintf("the ordering so far (the last %d of %d lines):\n", soFarLines, len(lines))
		lines = lines[len(lines)-soFarLines:]
	}
	return head + indent(strings.Join(lines, ""))
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	lines := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
	return "    " + strings.Join(lines, "    ") + "\n"
}
