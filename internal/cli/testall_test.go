package cli

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestInterruptedRunStartsNoMore interrupts test (closes its stop channel) while the first of 51
// scenarios, on the real clock, waits for an hour, one scenario running at a time: that one is
// reported stopped, the 50 others do not start, are neither failures nor cases of the JUnit
// report, and the run ends saying that it was interrupted and that 50 did not run.
func TestInterruptedRunStartsNoMore(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	dir := t.TempDir()
	suite(t, dir, 50, -1)
	wait := filepath.Join(dir, "a-wait.yaml")
	src := "clock: real\nfiles: {a.txt: x}\nmain:\n  - log: started\n  - timeout: 1h\n    then: [{log: never}]\n"
	if err := os.WriteFile(wait, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(GoldenPath(wait), []byte("started\nnever\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "report.xml")
	stop := make(chan struct{})
	time.AfterFunc(300*time.Millisecond, func() { close(stop) })
	var stdout, stderr bytes.Buffer
	c := &cli{stdout: &stdout, stderr: &stderr, stop: stop}
	c.main([]string{"test", "--junit", report, dir})
	out := stdout.String()
	if n := strings.Count(out, "FAIL "); n != 1 || !strings.Contains(out, "FAIL "+wait+"\n") {
		t.Errorf("%d FAIL lines, want the one of %s:\n%s", n, wait, out)
	}
	if strings.Contains(out, "ok ") {
		t.Errorf("a scenario ran after the interruption:\n%s", out)
	}
	if want := "0 passed, 1 failed\ninterrupted: 50 scenarios did not run\n"; !strings.HasSuffix(out, want) {
		t.Errorf("the run ends:\n%s\nwant it to end:\n%s", out, want)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var got junitSuites
	if err := xml.Unmarshal(b, &got); err != nil {
		t.Fatalf("the report is not XML: %v\n%s", err, b)
	}
	if s := got.Suites[0]; s.Tests != 1 || s.Failures != 1 || len(s.Cases) != 1 || s.Cases[0].Name != wait {
		t.Errorf("tests %d failures %d cases %d, want 1 1 1 (%s):\n%s", s.Tests, s.Failures, len(s.Cases), wait, b)
	}
}

// TestInterruptedBeforeAnyStarts closes the stop channel before test starts: no scenario runs.
func TestInterruptedBeforeAnyStarts(t *testing.T) {
	dir := t.TempDir()
	suite(t, dir, 20, 3)
	stop := make(chan struct{})
	close(stop)
	var stdout, stderr bytes.Buffer
	c := &cli{stdout: &stdout, stderr: &stderr, stop: stop}
	c.main([]string{"test", dir})
	if want := "0 passed, 0 failed\ninterrupted: 20 scenarios did not run\n"; stdout.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), want)
	}
}
