package harness

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/looptest/looptest/loop"
)

// runText loads a scenario from text and returns its ordering.
func runText(t *testing.T, src string) (string, error) {
	t.Helper()
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	var out bytes.Buffer
	err = s.Run(RunOptions{Out: &out})
	return out.String(), err
}

func TestRunResultsAndInterpolation(t *testing.T) {
	got, err := runText(t, `
files:
  dir/a.txt: "12345"
main:
  - read: dir/a.txt
    as: text
    then:
      - log: "read ${text} (${text.len} bytes) for $$5"
      - encrypt: ${text.len}
        as: n
        then:
          - log: fib=${n}
  - http: /x/${i}
    repeat: 2
    delay: 10ms
    respond: {status: 404, body: "gone\nfor good"}
    as: res
    then:
      - log: "${i}: ${res.status} ${res.body}"
`)
	if err != nil {
		t.Fatal(err)
	}
	// The read (cost 1ms) and its encrypt (1ms more) finish before the responses at 10ms.
	want := "read 12345 (5 bytes) for $5\nfib=5\n0: 404 gone\nfor good\n1: 404 gone\nfor good\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRunClosureScope(t *testing.T) {
	// Each repeat iteration's i is captured by its own callbacks, as a JavaScript closure would.
	got, err := runText(t, `
main:
  - timeout: 10
    repeat: 3
    then:
      - immediate:
        then:
          - log: "outer ${i}"
          - nextTick:
            repeat: 2
            then:
              - log: "  inner ${i}"
`)
	if err != nil {
		t.Fatal(err)
	}
	want := "outer 0\n  inner 0\n  inner 1\nouter 1\n  inner 0\n  inner 1\nouter 2\n  inner 0\n  inner 1\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRunFailureStopsWithPosition(t *testing.T) {
	got, err := runText(t, `
main:
  - log: before
  - encrypt: ${i}
    repeat: 100
    cost: 0
  - timeout: 5
    then: [{log: never}]
`)
	var se *StepError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a StepError", err)
	}
	if want := `t.yaml:4:5: encrypt failed: encrypt "93": expected an integer from 0 to 92`; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if got != "before\n" {
		t.Errorf("ordering = %q, want only the line before the failure", got)
	}
}

func TestRunErrorSteps(t *testing.T) {
	got, err := runText(t, `
main:
  - read: nope.txt
    error:
      - log: "failed: ${error}"
  - read: nope.txt
    error: []
  - read: nope.txt
    as: x
    then: [{log: never}]
    error: [{log: handled}]
`)
	if err != nil {
		t.Fatal(err)
	}
	if want := "failed: ENOENT: no such file or directory, open 'nope.txt'\nhandled\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRunClearAndTimes(t *testing.T) {
	got, err := runText(t, `
main:
  - interval: 100
    times: 2
    then: [{log: tick}]
  - interval: 30
    id: iv
    then:
      - log: fast
  - timeout: 100
    id: t
    then: [{log: never}]
  - timeout: 70
    then:
      - clear: iv
      - clear: t
      - clear: t
`)
	if err != nil {
		t.Fatal(err)
	}
	if want := "fast\nfast\ntick\ntick\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRunRemovesSandbox(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if _, err := runText(t, "files: {a.txt: x}\nmain: [{read: a.txt}]\n"); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 0 {
		t.Errorf("sandbox left behind: %v", entries)
	}
}

func TestRunawayStops(t *testing.T) {
	s, err := Parse("t.yaml", []byte("main:\n  - interval: 1\n    id: iv\n  - timeout: 10\n    then: [{immediate: , repeat: 0}]\n"))
	if err == nil {
		t.Fatal("repeat: 0 accepted")
	}
	s, err = Parse("t.yaml", []byte("main:\n  - interval: 1\n    id: iv\n    then: [{log: x}]\n  - timeout: 0\n    then: [{timeout: 0, then: [{clear: iv}]}]\n    repeat: 0\n"))
	if err == nil {
		t.Fatal("repeat: 0 accepted")
	}
	// An interval whose clear never runs: the guard stops it.
	s, err = Parse("t.yaml", []byte("main:\n  - interval: 1\n    id: iv\n  - read: missing\n    error: []\n    then: [{clear: iv}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = s.Run(RunOptions{MaxCallbacks: 1000})
	if !errors.Is(err, loop.ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
	err = s.Run(RunOptions{MaxTime: time.Minute})
	if !errors.Is(err, loop.ErrLimit) || !strings.Contains(err.Error(), "t.yaml: stopped") {
		t.Fatalf("err = %v, want ErrLimit naming the file", err)
	}
}

func TestShippedScenariosLoad(t *testing.T) {
	files, _ := filepath.Glob("../scenarios/*.yaml")
	for _, f := range files {
		if _, err := Load(f); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// FuzzParse checks that no input makes the loader panic or hang, and that every error is
// positioned.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../scenarios/*.yaml")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(b)
	}
	f.Add([]byte("main: [{log: ${a}}]"))
	f.Add([]byte("\x00\xff"))
	f.Add([]byte("main:\n\t- log: tab"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Parse("f.yaml", data)
		if err == nil {
			return
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("error is not a non-empty ErrorList: %v", err)
		}
		for _, e := range list {
			if e.Pos.Line < 1 || e.Pos.Col < 1 || !strings.HasPrefix(e.Error(), "f.yaml:") {
				t.Fatalf("unpositioned error: %q", e.Error())
			}
		}
	})
}

func TestTightDirective(t *testing.T) {
	for src, want := range map[string]bool{
		"# timing: tight\nmain: []\n":                   true,
		"# Why:\n#   timing: tight (ties)\nmain: []\n":  true,
		"main: []\n# timing: tight\n":                   false,
		"# timing: loose\nmain: [{log: x}]\n":           false,
		"\n\n#timing:tight — the reads tie\nmain: []\n": true,
	} {
		if got := tightDirective([]byte(src)); got != want {
			t.Errorf("tightDirective(%q) = %v, want %v", src, got, want)
		}
	}
}

// TestRealRunsLeaveNothingBehind runs a batch of real-clock scenarios, with pool tasks, HTTP calls
// through the delay server and a sandbox, and checks that no descriptor, goroutine or directory
// remains.
func TestRealRunsLeaveNothingBehind(t *testing.T) {
	if testing.Short() {
		t.Skip("real-clock runs take real time")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s, err := Parse("t.yaml", []byte(`
files: {a.txt: hello}
main:
  - read: a.txt
    repeat: 4
  - encrypt: 30
  - http: /x
    repeat: 5
    delay: 5ms
    closed: [{log: closed}]
  - http: /refused-or-not
    error: []
`))
	if err != nil {
		t.Fatal(err)
	}
	run := func() {
		if err := s.Run(RunOptions{Clock: "real"}); err != nil {
			t.Fatal(err)
		}
	}
	run()
	fds, goroutines := countFDs(t), runtime.NumGoroutine()
	for range 10 {
		run()
	}
	if after := countFDs(t); after != fds {
		t.Errorf("open descriptors: %d before, %d after 10 real runs", fds, after)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > goroutines {
		t.Errorf("goroutines: %d before, %d after 10 real runs", goroutines, after)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("sandboxes left behind: %v", entries)
	}
}

func countFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	return len(entries)
}
