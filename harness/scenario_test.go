package harness

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
	_, err := Parse("t.yaml", []byte("main:\n  - interval: 1\n    id: iv\n  - timeout: 10\n    then: [{immediate: , repeat: 0}]\n"))
	if err == nil {
		t.Fatal("repeat: 0 accepted")
	}
	_, err = Parse("t.yaml", []byte("main:\n  - interval: 1\n    id: iv\n    then: [{log: x}]\n  - timeout: 0\n    then: [{timeout: 0, then: [{clear: iv}]}]\n    repeat: 0\n"))
	if err == nil {
		t.Fatal("repeat: 0 accepted")
	}
	// An interval whose clear never runs: the guard stops it.
	s, err := Parse("t.yaml", []byte("main:\n  - interval: 1\n    id: iv\n  - read: missing\n    error: []\n    then: [{clear: iv}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = s.Run(RunOptions{Limits: Limits{MaxCallbacks: 1000}})
	if !errors.Is(err, loop.ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
	err = s.Run(RunOptions{Limits: Limits{MaxTime: time.Minute}})
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
// positioned inside the file, and the list sorted.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"../scenarios/*.yaml", "../testdata/bad/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			// The deep-nesting files are tens of kilobytes: mutants of them take the fuzzer
			// minutes to minimize. TestBadCatalogue loads them; a shallower one seeds here.
			if b, _ := os.ReadFile(file); len(b) < 8<<10 {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("main: " + strings.Repeat("[{timeout: 1, then: ", 120) + "[]" + strings.Repeat("}]", 120)))
	f.Add([]byte("main: [{log: ${a}}]"))
	f.Add([]byte("\x00\xff"))
	f.Add([]byte("main:\n\t- log: tab"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog("Parse")()
		_, err := Parse("f.yaml", data)
		if err == nil {
			return
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("error is not a non-empty ErrorList: %v", err)
		}
		lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
		for i, e := range list {
			if e.Pos.Line < 1 || e.Pos.Col < 1 || e.Pos.Line > lines || e.Pos.File != "f.yaml" {
				t.Fatalf("error out of the file (%d lines): %q", lines, e.Error())
			}
			if i > 0 && (e.Pos.Line < list[i-1].Pos.Line || e.Pos.Line == list[i-1].Pos.Line && e.Pos.Col < list[i-1].Pos.Col) {
				t.Fatalf("errors out of order:\n%v", err)
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
		if got, _ := directives([]byte(src)); got != want {
			t.Errorf("directives(%q) tight = %v, want %v", src, got, want)
		}
	}
}

func TestDiffersDirective(t *testing.T) {
	src := "# differs: bun (closes first closed first)\n# timing: tight\n#differs: deno\nmain: []\n# differs: node18 (too late)\n"
	tight, differs := directives([]byte(src))
	want := map[string]string{"bun": "closes first closed first", "deno": "recorded"}
	if !tight || !maps.Equal(differs, want) {
		t.Errorf("directives = %v, %v; want true, %v", tight, differs, want)
	}
}

// watchdog panics if the function it was called from has not returned (by calling the function
// watchdog returns) within a minute: the fuzzer has no limit of its own, and a panic makes it
// save the input that hung.
func watchdog(what string) (stop func()) {
	t := time.AfterFunc(time.Minute, func() { panic(what + " hung for a minute") })
	return func() { t.Stop() }
}

// TestConcurrentRunsOfOneScenario runs one loaded scenario from several goroutines at once, as
// test runners may: the compiled program is shared and must not be written to (go test -race).
func TestConcurrentRunsOfOneScenario(t *testing.T) {
	s, err := Parse("t.yaml", []byte(`
files: {a: hello}
main:
  - read: a
    as: text
    then:
      - log: "${text} ${text.len}"
  - timeout: 5
    repeat: 3
    then: [{log: "t${i}"}]
`))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	outs := make([]string, 8)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b bytes.Buffer
			if err := s.Run(RunOptions{Out: &b}); err != nil {
				t.Error(err)
			}
			outs[i] = b.String()
		}()
	}
	wg.Wait()
	for _, out := range outs {
		if want := "hello 5\nt0\nt1\nt2\n"; out != want {
			t.Errorf("got %q, want %q", out, want)
		}
	}
}

// TestHugeValuesRefused: negative numbers too large for a duration, and bodies too large for the
// delay server's header, are refused when the file loads, not wrapped around or cut.
func TestHugeValuesRefused(t *testing.T) {
	src := "main:\n  - block: -18446744073709\n  - timeout: -1e300\n  - http: /x\n    respond: {body: \"" +
		strings.Repeat("x", maxBody+1) + "\"}\n"
	_, err := Parse("t.yaml", []byte(src))
	want := []string{
		"t.yaml:2:12: block must not be negative; got -18446744073709",
		"t.yaml:3:14: timeout must not be negative; got -1e300",
		fmt.Sprintf("t.yaml:5:21: body must be at most %d bytes; got %d", maxBody, maxBody+1),
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("got:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
}

// TestHugeFileRefusedBeforeParsing checks that a scenario file over MaxFileSize is refused at
// its first position, after reading no more than one byte past the limit.
func TestHugeFileRefusedBeforeParsing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(50 << 20); err != nil { // sparse: 50 MiB of NUL bytes
		t.Fatal(err)
	}
	f.Close()
	_, err = Load(path)
	if want := path + ":1:1: the file is larger than 16 MiB, the most a scenario file may be"; err == nil || err.Error() != want {
		t.Errorf("Load: %v, want %q", err, want)
	}
}
