package cli

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/lttest"
)

// suite writes n scenarios into dir, each with its golden, and makes the one numbered bad fail.
func suite(t *testing.T, dir string, n, bad int) {
	t.Helper()
	for i := range n {
		name := filepath.Join(dir, fmt.Sprintf("s%04d", i))
		src := fmt.Sprintf("main:\n  - log: start %d\n  - timeout: 1\n    then: [{log: tick}]\n  - immediate:\n    then: [{log: check}]\n", i)
		want := fmt.Sprintf("start %d\ncheck\ntick\n", i)
		if i == bad {
			want = "not the ordering\n"
		}
		if err := os.WriteFile(name+".yaml", []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name+".golden", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestJUnitReport parses the report of test --junit with encoding/xml and checks its counts, its
// cases and the failure's text.
func TestJUnitReport(t *testing.T) {
	dir := t.TempDir()
	suite(t, dir, 5, 2)
	report := filepath.Join(dir, "report.xml")
	var stdout, stderr bytes.Buffer
	if st := Main([]string{"test", "--junit", report, dir}, &stdout, &stderr); st != exitFailed {
		t.Fatalf("status %d, want %d; stderr: %s", st, exitFailed, stderr.String())
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var got junitSuites
	if err := xml.Unmarshal(b, &got); err != nil {
		t.Fatalf("the report is not XML: %v\n%s", err, b)
	}
	if len(got.Suites) != 1 {
		t.Fatalf("%d testsuites, want 1", len(got.Suites))
	}
	s := got.Suites[0]
	if s.Tests != 5 || s.Failures != 1 || s.Errors != 0 || s.Skipped != 0 || len(s.Cases) != 5 {
		t.Errorf("tests %d failures %d errors %d skipped %d cases %d, want 5 1 0 0 5", s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases))
	}
	for i, c := range s.Cases {
		if want := filepath.Join(dir, fmt.Sprintf("s%04d.yaml", i)); c.Name != want {
			t.Errorf("case %d is %s, want %s", i, c.Name, want)
		}
		if (c.Failure != nil) != (i == 2) {
			t.Errorf("case %d: failure %v", i, c.Failure)
		}
	}
	if f := s.Cases[2].Failure; f != nil && !bytes.Contains([]byte(f.Text), []byte("+start 2")) {
		t.Errorf("the failure's text lacks the diff:\n%s", f.Text)
	}
}

// TestLargeSuiteLeavesNothingBehind runs a suite of 400 scenarios twice and checks that no
// goroutine, thread or descriptor grows with it.
func TestLargeSuiteLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	suite(t, dir, 400, -1)
	run := func() {
		var stdout, stderr bytes.Buffer
		if st := Main([]string{"test", dir}, &stdout, &stderr); st != exitOK {
			t.Fatalf("status %d; stderr: %s", st, stderr.String())
		}
	}
	run()
	lttest.CheckLeaks(t)
	run()
}

// TestAnnotationAtNestedLogStep checks that a mismatch is annotated at the log step that printed
// the first differing line, with its line and column, however deep the step sits and whichever
// line of a multi-line log it is, from the one run that test makes.
func TestAnnotationAtNestedLogStep(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "nested.yaml")
	src := `main:
  - log: start
  - read: a.txt
    then:
      - timeout: 1
        then:
          - log: "first ${i}\nsecond ${i}"
            repeat: 2
files: {a.txt: x}
`
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(GoldenPath(file), []byte("start\nfirst 0\nsecond 0\nfirst 1\nsecond one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_ACTIONS", "true")
	res := testOne(file, "", false, harness.Limits{}, nil)
	if res.ok {
		t.Fatal("the mismatch passed")
	}
	if res.step == nil || res.step.Pos.Line != 7 || res.step.Pos.Col != 13 || res.step.Kind != "log" {
		t.Fatalf("annotated at %v, want the log step at line 7, column 13", res.step)
	}
	var b bytes.Buffer
	annotate(&b, res)
	want := fmt.Sprintf("::error file=%s,line=7,col=13::line 5 of the ordering is \"second 1\", %s has \"second one\"\n", file, GoldenPath(file))
	if b.String() != want {
		t.Errorf("annotation:\n%s\nwant:\n%s", b.String(), want)
	}
}

// runnerCommands reads out as the GitHub Actions runner reads a step's output for workflow
// commands: lines end at LF, CRLF or a bare CR; a line is a command when, leading spaces
// trimmed, it starts with ::, or when it holds ##[ anywhere; after ::stop-commands::TOKEN no line
// is one until ::TOKEN::. It returns the commands it would run.
func runnerCommands(out string) []string {
	var cmds []string
	stopped := ""
	out = strings.ReplaceAll(out, "\r\n", "\n")
	for _, line := range strings.FieldsFunc(out, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if stopped != "" {
			if line == "::"+stopped+"::" {
				stopped = ""
			}
			continue
		}
		trimmed := strings.TrimLeft(line, " \t")
		if token, ok := strings.CutPrefix(trimmed, "::stop-commands::"); ok {
			stopped = token
			continue
		}
		if strings.HasPrefix(trimmed, "::") || strings.Contains(line, "##[") {
			cmds = append(cmds, line)
		}
	}
	return cmds
}

// TestNoWorkflowCommandInjection runs failing scenarios whose orderings, and one's file name,
// hold workflow commands under GITHUB_ACTIONS=true, and reads what test prints as the runner
// does: the only commands in it are looptest's own annotations, one line each, with no ##[, in
// the text on stdout, and with --json on stderr, the JSON on stdout holding none.
func TestNoWorkflowCommandInjection(t *testing.T) {
	dir := t.TempDir()
	src := `main:
  - log: "x\r::error title=pwned::y"
  - log: "y ##[set-output name=pwned;]v1"
  - log: "  ::add-mask::looptest"
`
	for _, name := range []string{"inject.yaml", "n\n::warning title=name::x ##[error]y.yaml"} {
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(GoldenPath(file), []byte("x\r::error title=golden::y\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GITHUB_ACTIONS", "true")
	check := func(t *testing.T, what, out string, annotations int) {
		t.Helper()
		cmds := runnerCommands(out)
		if len(cmds) != annotations {
			t.Errorf("%s: the runner would run %d commands, want %d annotations: %q\n%s", what, len(cmds), annotations, cmds, out)
		}
		for _, c := range cmds {
			if !strings.HasPrefix(c, "::error file="+dir) || strings.Contains(c, "##[") || strings.Contains(c, "pwned") && !strings.Contains(c, `"x\r::error title=pwned::y"`) {
				t.Errorf("%s: not an annotation of looptest's: %q", what, c)
			}
		}
	}
	t.Run("text", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if st := Main([]string{"test", dir}, &stdout, &stderr); st != exitFailed {
			t.Fatalf("status %d; stderr: %s", st, stderr.String())
		}
		check(t, "stdout", stdout.String(), 2)
		check(t, "stderr", stderr.String(), 0)
		named := filepath.Join(dir, "n\n::warning title=name::x ##[error]y.yaml")
		if want := "\nFAIL " + strings.ReplaceAll(strconv.Quote(named), "##[", `#\x23[`) + "\n"; !strings.Contains(stdout.String(), want) {
			t.Errorf("no line %q:\n%s", want[1:], stdout.String())
		}
	})
	t.Run("json", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if st := Main([]string{"test", "--json", dir}, &stdout, &stderr); st != exitFailed {
			t.Fatalf("status %d; stderr: %s", st, stderr.String())
		}
		check(t, "stdout", stdout.String(), 0)
		check(t, "stderr", stderr.String(), 2)
		var output strings.Builder
		for line := range strings.Lines(stdout.String()) {
			var e testEvent
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("not JSON: %q: %v", line, err)
			}
			output.WriteString(e.Output)
		}
		if !strings.Contains(output.String(), "+y ##[set-output name=pwned;]v1\n") {
			t.Errorf("the JSON's output lost the ordering's text:\n%s", output.String())
		}
	})
}
