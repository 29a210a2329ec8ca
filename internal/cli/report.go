package cli

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/looptest/looptest/golden"
	"github.com/looptest/looptest/internal/words"
)

// A tally counts the results of a test run.
type tally struct {
	passed, failed, skipped int
	notRun                  int  // scenarios that did not start: the run was interrupted
	invalid                 bool // a file did not load, or a golden could not be pruned
	interrupted             bool // SIGINT or SIGTERM stopped the run
}

// summary is the end of a test run: N passed, N failed[, N skipped], and after an interruption a
// line that says so, and how many scenarios did not run.
func (t tally) summary() string {
	s := fmt.Sprintf("%d passed, %d failed\n", t.passed, t.failed)
	if t.skipped > 0 {
		s = fmt.Sprintf("%d passed, %d failed, %d skipped\n", t.passed, t.failed, t.skipped)
	}
	if t.interrupted || t.notRun > 0 {
		s += fmt.Sprintf("interrupted: %d %s did not run\n", t.notRun, words.Plural(t.notRun, "scenario"))
	}
	return s
}

// A resultWriter prints each result as it comes (ok, FAIL with why, SKIP with why), as text or
// as go test -json events, and counts them; a scenario that did not run (the run was
// interrupted) is only counted. Under GitHub Actions the text is fenced off from the runner
// (fence), and each failure is then annotated (annotate) on annot, at the end: stdout for the
// text, stderr for the JSON, whose stream an annotation would break.
type resultWriter struct {
	w, annot io.Writer
	json     *jsonPackages // nil for the text
	colour   bool
	fence    fence
	failed   []testResult
	t        tally
}

// newResultWriter starts the report of a run of files, in the order they will come.
func newResultWriter(w, annot io.Writer, files []string, jsonOut, colour bool, begin time.Time) *resultWriter {
	rw := &resultWriter{w: w, annot: annot, colour: colour && !jsonOut, fence: newFence()}
	if jsonOut {
		rw.json = newJSONPackages(files, begin)
	} else {
		rw.fence.open(w)
	}
	return rw
}

// add prints a result.
func (rw *resultWriter) add(r testResult) {
	if rw.json != nil {
		rw.json.add(rw.w, r)
	}
	if r.notRun {
		rw.t.notRun++
		return
	}
	rw.t.invalid = rw.t.invalid || r.invalid
	var text string
	switch {
	case r.skipped != "":
		rw.t.skipped++
		text = fmt.Sprintf("%s %s: %s\n", paint(rw.colour, yellow, "SKIP"), quoteName(r.file), r.skipped)
	case r.ok:
		rw.t.passed++
		text = fmt.Sprintf("%s   %s%s\n", paint(rw.colour, green, "ok"), quoteName(r.file), r.note)
	default:
		rw.t.failed++
		text = fmt.Sprintf("%s %s\n%s", paint(rw.colour, red, "FAIL"), quoteName(r.file), paintDiff(rw.colour, indent(r.detail)))
		rw.failed = append(rw.failed, r)
	}
	if rw.json == nil {
		io.WriteString(rw.w, text)
	}
}

// end closes the report and returns the tally.
func (rw *resultWriter) end() tally {
	if rw.json == nil {
		rw.fence.close(rw.w)
	}
	if githubActions() {
		for _, r := range rw.failed {
			annotate(rw.annot, r)
		}
	}
	return rw.t
}

// A fence keeps the GitHub Actions runner from reading workflow commands (::error, ::add-mask::,
// ##[set-output] and the rest) in the text it encloses: the text of scenarios, their orderings,
// the names of their files. It is GitHub's ::stop-commands::TOKEN, with a token that no scenario
// can know, fresh for each run, and ::TOKEN:: to resume; outside GitHub Actions it prints nothing.
type fence string

func newFence() fence {
	if !githubActions() {
		return ""
	}
	return fence(rand.Text())
}

func (f fence) open(w io.Writer) {
	if f != "" {
		fmt.Fprintf(w, "::stop-commands::%s\n", f)
	}
}

func (f fence) close(w io.Writer) {
	if f != "" {
		fmt.Fprintf(w, "::%s::\n", f)
	}
}

// quoteName returns a file's name as a report prints it: as it is, or Go-quoted when it holds a
// character that is not printable (a newline, a carriage return) or the ##[ of a workflow
// command, so that a name is one line and starts no command.
func quoteName(name string) string {
	if !strings.Contains(name, "##[") && !strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return name
	}
	return strings.ReplaceAll(strconv.Quote(name), "##[", `#\x23[`)
}

// testEvent is one line of test --json, in the shape of go test -json (cmd/test2json), so that
// the tools that read that read this: gotestsum, go-junit-report, tparse, IDEs.
type testEvent struct {
	Time    time.Time `json:",omitempty"`
	Action  string
	Package string   `json:",omitempty"`
	Test    string   `json:",omitempty"`
	Elapsed *float64 `json:",omitempty"`
	Output  string   `json:",omitempty"`
}

// jsonPackages turns results into go test -json events as go test prints them for packages of
// tests: each directory of scenarios is a package (Package is the directory as the scenario's
// path gives it), each scenario file in it a test (Test is its file name), so that no Test holds
// a slash, which the readers take for a subtest. A package's events come together: start, then
// for each scenario run, its output (=== RUN, the reason or diff indented, --- PASS/FAIL/SKIP)
// and pass, fail or skip, then the package's PASS or FAIL, "ok  \tDIR\t0.012s" or
// "FAIL\tDIR\t0.012s", and its pass or fail. The files must come grouped by directory
// (groupByDir).
type jsonPackages struct {
	begin   time.Time
	left    map[string]int  // results still to come, by package
	started map[string]bool // the package's start is printed
	failed  map[string]bool
}

func newJSONPackages(files []string, begin time.Time) *jsonPackages {
	j := &jsonPackages{begin: begin, left: map[string]int{}, started: map[string]bool{}, failed: map[string]bool{}}
	for _, f := range files {
		j.left[jsonPackage(f)]++
	}
	return j
}

// jsonPackage and jsonTest are the Package and Test of a scenario file's events.
func jsonPackage(file string) string { return filepath.ToSlash(filepath.Dir(file)) }
func jsonTest(file string) string    { return filepath.Base(file) }

// groupByDir orders files so that those of a directory come together, each directory where its
// first file was, the files of one in the order they had.
func groupByDir(files []string) []string {
	first := map[string]int{}
	for i, f := range files {
		if _, ok := first[jsonPackage(f)]; !ok {
			first[jsonPackage(f)] = i
		}
	}
	out := slices.Clone(files)
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(first[jsonPackage(a)], first[jsonPackage(b)]) })
	return out
}

func (j *jsonPackages) add(w io.Writer, r testResult) {
	enc := json.NewEncoder(jsonSafe{w})
	pkg, name := jsonPackage(r.file), jsonTest(r.file)
	emit := func(action, test, output string, elapsed *float64) {
		enc.Encode(testEvent{Time: time.Now(), Action: action, Package: pkg, Test: test, Output: output, Elapsed: elapsed})
	}
	if !r.notRun {
		if !j.started[pkg] {
			j.started[pkg] = true
			emit("start", "", "", nil)
		}
		emit("run", name, "", nil)
		emit("output", name, "=== RUN   "+name+"\n", nil)
		var why string
		switch {
		case r.skipped != "":
			why = r.skipped
		case r.ok:
			why = strings.TrimSuffix(strings.TrimPrefix(r.note, " ("), ")")
		default:
			why = r.detail
		}
		for line := range strings.Lines(indent(why)) {
			emit("output", name, line, nil)
		}
		secs := math.Round(r.elapsed.Seconds()*100) / 100
		word := map[string]string{"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}[r.action()]
		emit("output", name, fmt.Sprintf("--- %s: %s (%.2fs)\n", word, name, secs), nil)
		emit(r.action(), name, "", &secs)
	}
	if r.notRun || r.action() == "fail" {
		j.failed[pkg] = true
	}
	j.left[pkg]--
	if j.left[pkg] > 0 || !j.started[pkg] {
		return
	}
	secs := math.Round(time.Since(j.begin).Seconds()*1000) / 1000
	if j.failed[pkg] {
		emit("output", "", "FAIL\n", nil)
		emit("output", "", fmt.Sprintf("FAIL\t%s\t%.3fs\n", pkg, secs), nil)
		emit("fail", "", "", &secs)
		return
	}
	emit("output", "", "PASS\n", nil)
	emit("output", "", fmt.Sprintf("ok  \t%s\t%.3fs\n", pkg, secs), nil)
	emit("pass", "", "", &secs)
}

// jsonSafe writes JSON with the ##[ of a workflow command written #\u0023[, the same string to a
// JSON reader, so that the GitHub Actions runner, which looks for ##[ anywhere in a line, finds
// none. (The encoder already writes a carriage return as \r, and each line starts with {.)
type jsonSafe struct{ w io.Writer }

func (j jsonSafe) Write(p []byte) (int, error) {
	if _, err := j.w.Write(bytes.ReplaceAll(p, []byte("##["), []byte(`#\u0023[`))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// action is go test -json's word for how a scenario ended.
func (r testResult) action() string {
	switch {
	case r.skipped != "":
		return "skip"
	case r.ok:
		return "pass"
	}
	return "fail"
}

// The JUnit XML report of test --junit: one testsuite, one testcase per scenario that ran, the diff (or
// the reason) in the failure's text, time in seconds.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// writeJUnit writes the report of results to path, atomically.
func writeJUnit(path string, results []testResult, elapsed time.Duration) error {
	suite := junitSuite{Name: "looptest", Time: seconds(elapsed)}
	for _, r := range results {
		if r.notRun {
			continue
		}
		suite.Tests++
		tc := junitCase{Name: r.file, Classname: "looptest", File: r.file, Time: seconds(r.elapsed)}
		switch {
		case r.skipped != "":
			suite.Skipped++
			tc.Skipped = &junitMessage{Message: firstLine(r.skipped), Text: r.skipped}
		case r.invalid:
			suite.Errors++
			tc.Error = &junitMessage{Message: "the scenario file is invalid", Text: r.detail}
		case !r.ok:
			suite.Failures++
			tc.Failure = &junitMessage{Message: cmp.Or(r.headline, firstLine(r.detail)), Text: r.detail}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	b, err := xml.MarshalIndent(junitSuites{Suites: []junitSuite{suite}}, "", "  ")
	if err != nil {
		return err
	}
	return golden.Write(path, append([]byte(xml.Header), append(b, '\n')...))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// githubActions reports whether the run is a GitHub Actions job, which reads ::error lines as
// annotations.
func githubActions() bool { return os.Getenv("GITHUB_ACTIONS") == "true" }

// annotate prints a failed scenario as a GitHub Actions error annotation at its file and the
// line and column of the step that printed the first line that differs (the file's first line
// when it is not known). The message and the file are escaped as workflow commands are (%, CR
// and LF; also , and : in the file), so that the annotation is one line, and a ##[ in them is
// written #%23[, so that it cannot start a command of the older syntax.
func annotate(w io.Writer, r testResult) {
	line, col := 1, 0
	if r.step != nil {
		line, col = r.step.Pos.Line, r.step.Pos.Col
	}
	msg := cmp.Or(r.differs, firstLine(r.detail))
	esc := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	prop := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	pos := fmt.Sprintf("line=%d", line)
	if col > 0 {
		pos += fmt.Sprintf(",col=%d", col)
	}
	a := fmt.Sprintf("::error file=%s,%s::%s", prop.Replace(r.file), pos, esc.Replace(msg))
	fmt.Fprintln(w, strings.ReplaceAll(a, "##[", "#%23["))
}
