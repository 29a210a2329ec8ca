package cli

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
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

// writeResults prints each result (ok, FAIL with why, SKIP with why), as text or as go test
// -json events, and counts them; a scenario that did not run (the run was interrupted) is only
// counted. Under GitHub Actions the text is fenced off from the runner
// (fence), and each failure is then annotated (annotate) on annot: stdout for the text, stderr
// for the JSON, whose stream an annotation would break.
func writeResults(w, annot io.Writer, results []testResult, jsonOut bool) tally {
	var t tally
	var text strings.Builder
	var failed []testResult
	f := newFence()
	if !jsonOut {
		f.open(w)
	}
	for _, r := range results {
		if r.notRun {
			t.notRun++
			continue
		}
		text.Reset()
		t.invalid = t.invalid || r.invalid
		switch {
		case r.skipped != "":
			t.skipped++
			fmt.Fprintf(&text, "SKIP %s: %s\n", quoteName(r.file), r.skipped)
		case r.ok:
			t.passed++
			fmt.Fprintf(&text, "%-4s %s%s\n", "ok", quoteName(r.file), r.note)
		default:
			t.failed++
			fmt.Fprintf(&text, "FAIL %s\n%s", quoteName(r.file), indent(r.detail))
			failed = append(failed, r)
		}
		if jsonOut {
			writeJSON(w, r, text.String())
		} else {
			io.WriteString(w, text.String())
		}
	}
	if !jsonOut {
		f.close(w)
	}
	if githubActions() {
		for _, r := range failed {
			annotate(annot, r)
		}
	}
	return t
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
// the tools that read that read this: gotestsum, go-junit-report, IDEs.
type testEvent struct {
	Time    time.Time `json:",omitempty"`
	Action  string
	Package string   `json:",omitempty"`
	Test    string   `json:",omitempty"`
	Elapsed *float64 `json:",omitempty"`
	Output  string   `json:",omitempty"`
}

// jsonPackage is the Package of test --json's events: the suite.
const jsonPackage = "looptest"

// writeJSON prints a result as go test -json would print a test's: run, its output, then pass,
// fail or skip.
func writeJSON(w io.Writer, r testResult, text string) {
	enc := json.NewEncoder(jsonSafe{w})
	now := time.Now()
	enc.Encode(testEvent{Time: now, Action: "run", Package: jsonPackage, Test: r.file})
	for line := range strings.Lines(text) {
		enc.Encode(testEvent{Time: now, Action: "output", Package: jsonPackage, Test: r.file, Output: line})
	}
	secs := r.elapsed.Seconds()
	enc.Encode(testEvent{Time: now, Action: r.action(), Package: jsonPackage, Test: r.file, Elapsed: &secs})
}

// writeJSONEnd prints the suite's own result, as go test -json ends a package.
func writeJSONEnd(w io.Writer, pass bool, elapsed time.Duration, summary string) {
	enc := json.NewEncoder(jsonSafe{w})
	for line := range strings.Lines(summary) {
		enc.Encode(testEvent{Time: time.Now(), Action: "output", Package: jsonPackage, Output: line})
	}
	action, secs := "pass", elapsed.Seconds()
	if !pass {
		action = "fail"
	}
	enc.Encode(testEvent{Time: time.Now(), Action: action, Package: jsonPackage, Elapsed: &secs})
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
		tc := junitCase{Name: r.file, Classname: "looptest", Time: seconds(r.elapsed)}
		switch {
		case r.skipped != "":
			suite.Skipped++
			tc.Skipped = &junitMessage{Message: firstLine(r.skipped), Text: r.skipped}
		case r.invalid:
			suite.Errors++
			tc.Error = &junitMessage{Message: "the scenario file is invalid", Text: r.detail}
		case !r.ok:
			suite.Failures++
			tc.Failure = &junitMessage{Message: firstLine(r.detail), Text: r.detail}
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
