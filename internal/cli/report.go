package cli

import (
	"cmp"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/looptest/looptest/golden"
)

// A tally counts the results of a test run.
type tally struct {
	passed, failed, skipped int
	invalid                 bool // a file did not load, or a golden could not be pruned
}

// summary is the last line of a test run: N passed, N failed[, N skipped].
func (t tally) summary() string {
	if t.skipped > 0 {
		return fmt.Sprintf("%d passed, %d failed, %d skipped\n", t.passed, t.failed, t.skipped)
	}
	return fmt.Sprintf("%d passed, %d failed\n", t.passed, t.failed)
}

// writeResults prints each result (ok, FAIL with why, SKIP with why), as text or as go test
// -json events, with an annotation for each failure under GitHub Actions, and counts them.
func writeResults(w io.Writer, results []testResult, jsonOut bool) tally {
	var t tally
	var text strings.Builder
	for _, r := range results {
		text.Reset()
		t.invalid = t.invalid || r.invalid
		switch {
		case r.skipped != "":
			t.skipped++
			fmt.Fprintf(&text, "SKIP %s: %s\n", r.file, r.skipped)
		case r.ok:
			t.passed++
			fmt.Fprintf(&text, "%-4s %s%s\n", "ok", r.file, r.note)
		default:
			t.failed++
			fmt.Fprintf(&text, "FAIL %s\n%s", r.file, indent(r.detail))
			if githubActions() {
				annotate(w, r)
			}
		}
		if jsonOut {
			writeJSON(w, r, text.String())
		} else {
			io.WriteString(w, text.String())
		}
	}
	return t
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
	enc := json.NewEncoder(w)
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
	enc := json.NewEncoder(w)
	enc.Encode(testEvent{Time: time.Now(), Action: "output", Package: jsonPackage, Output: summary})
	action, secs := "pass", elapsed.Seconds()
	if !pass {
		action = "fail"
	}
	enc.Encode(testEvent{Time: time.Now(), Action: action, Package: jsonPackage, Elapsed: &secs})
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

// The JUnit XML report of test --junit: one testsuite, one testcase per scenario, the diff (or
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
	suite := junitSuite{Name: "looptest", Tests: len(results), Time: seconds(elapsed)}
	for _, r := range results {
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
// when it is not known).
func annotate(w io.Writer, r testResult) {
	line, col := 1, 0
	if r.step != nil {
		line, col = r.step.Pos.Line, r.step.Pos.Col
	}
	msg := cmp.Or(r.differs, firstLine(r.detail))
	// Workflow commands escape %, CR and LF in the message, and also , and : in properties.
	esc := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	prop := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	if col > 0 {
		fmt.Fprintf(w, "::error file=%s,line=%d,col=%d::%s\n", prop.Replace(r.file), line, col, esc.Replace(msg))
		return
	}
	fmt.Fprintf(w, "::error file=%s,line=%d::%s\n", prop.Replace(r.file), line, esc.Replace(msg))
}
