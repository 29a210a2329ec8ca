package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a buffer that a command writes while the test reads it, and that says when
// what it holds first contains a string.
type syncBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	want map[string]chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	for w, ch := range s.want {
		if strings.Contains(s.b.String(), w) {
			close(ch)
			delete(s.want, w)
		}
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// when returns a channel closed once the buffer contains w.
func (s *syncBuffer) when(w string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	if strings.Contains(s.b.String(), w) {
		close(ch)
		return ch
	}
	if s.want == nil {
		s.want = map[string]chan struct{}{}
	}
	s.want[w] = ch
	return ch
}

// hangGuard bounds what a test waits for: far beyond what any of these takes.
const hangGuard = 60 * time.Second

func waitFor(t *testing.T, ch <-chan struct{}, what string, out *syncBuffer) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(hangGuard):
		t.Fatalf("no %s after %v; output:\n%s", what, hangGuard, out.String())
	}
}

func writeScenario(t *testing.T, path, src, golden string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(GoldenPath(path), []byte(golden), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestResultsStream: test prints a scenario's result as soon as it and those before it are done,
// not at the end: a.yaml's ok is printed while z.yaml, on the real clock, still waits for an
// hour; the run is then interrupted.
func TestResultsStream(t *testing.T) {
	dir := t.TempDir()
	writeScenario(t, filepath.Join(dir, "a.yaml"), "main:\n  - log: a\n", "a\n")
	writeScenario(t, filepath.Join(dir, "z.yaml"), "clock: real\nmain:\n  - timeout: 1h\n    then: [{log: z}]\n", "z\n")
	var stdout syncBuffer
	var stderr bytes.Buffer
	stop := make(chan struct{})
	c := &cli{stdout: &stdout, stderr: &stderr, stop: stop}
	printed := stdout.when("ok   " + filepath.Join(dir, "a.yaml") + "\n")
	done := make(chan int)
	go func() { done <- c.main([]string{"test", dir}) }()
	waitFor(t, printed, "result of a.yaml", &stdout)
	close(stop)
	select {
	case <-done:
	case <-time.After(hangGuard):
		t.Fatal("test did not stop")
	}
	if out := stdout.String(); !strings.HasPrefix(out, "ok   "+filepath.Join(dir, "a.yaml")+"\nFAIL "+filepath.Join(dir, "z.yaml")+"\n") {
		t.Errorf("stdout:\n%s", out)
	}
}

// TestResultsInFileOrder: whichever finishes first, results come in the order of the files.
func TestResultsInFileOrder(t *testing.T) {
	dir := t.TempDir()
	// The first one takes longest: a million callbacks.
	writeScenario(t, filepath.Join(dir, "a.yaml"), "main:\n  - interval: 1\n    id: i\n    then: [{log: t}]\n  - timeout: 2000\n    then: [{clear: i}]\n", strings.Repeat("t\n", 1999))
	for _, n := range []string{"b", "c", "d"} {
		writeScenario(t, filepath.Join(dir, n+".yaml"), "main:\n  - log: "+n+"\n", n+"\n")
	}
	var stdout, stderr bytes.Buffer
	Main([]string{"test", dir}, &stdout, &stderr)
	var order []string
	for line := range strings.Lines(stdout.String()) {
		if f := strings.Fields(line); len(f) == 2 && (f[0] == "ok" || f[0] == "FAIL") {
			order = append(order, filepath.Base(f[1]))
		}
	}
	if got := strings.Join(order, " "); got != "a.yaml b.yaml c.yaml d.yaml" {
		t.Errorf("results in the order %s:\n%s", got, stdout.String())
	}
}

// TestWatch: test --watch tests, then on a tick tests again what changed (a golden, then a
// scenario), nothing when nothing did, and stops when interrupted.
func TestWatch(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	writeScenario(t, a, "main:\n  - log: a\n", "a\n")
	writeScenario(t, b, "main:\n  - log: b\n", "b\n")
	var stdout, stderr syncBuffer
	stop := make(chan struct{})
	tick := make(chan time.Time)
	c := &cli{stdout: &stdout, stderr: &stderr, stop: stop, watchTick: tick}
	first := stdout.when("2 passed, 0 failed\n")
	done := make(chan int)
	go func() { done <- c.main([]string{"test", "--watch", dir}) }()
	waitFor(t, first, "first run", &stdout)

	// A golden changes: its scenario alone runs again, and fails.
	replace(t, GoldenPath(b), "not b\n")
	second := stdout.when("0 passed, 1 failed\n")
	tick <- time.Now()
	waitFor(t, second, "second run", &stdout)

	// Nothing changes: nothing runs. Then the scenario changes to match its golden.
	tick <- time.Now()
	replace(t, b, "main:\n  - log: not b\n")
	third := stdout.when("1 passed, 0 failed\n")
	tick <- time.Now()
	waitFor(t, third, "third run", &stdout)
	close(stop)
	select {
	case <-done:
	case <-time.After(hangGuard):
		t.Fatal("--watch did not stop")
	}
	want := "ok   " + a + "\nok   " + b + "\n2 passed, 0 failed\n" +
		"\nchanged: " + b + "\nFAIL " + b + "\n"
	if out := stdout.String(); !strings.HasPrefix(out, want) || strings.Count(out, "changed:") != 2 || !strings.HasSuffix(out, "\nchanged: "+b+"\nok   "+b+"\n1 passed, 0 failed\n") {
		t.Errorf("stdout:\n%s\nwant it to start:\n%s", out, want)
	}
}

// replace puts content in place of a file at once, its modification time an hour ahead: a
// look at it sees it old or new, never half written.
func replace(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".new"
	later := time.Now().Add(time.Hour)
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, later, later); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// TestProgressAndColour: at a terminal, test colours its words and keeps a progress line on
// stderr, cleared before each result; NO_COLOR and a pipe turn colour off.
func TestProgressAndColour(t *testing.T) {
	dir := t.TempDir()
	writeScenario(t, filepath.Join(dir, "a.yaml"), "main:\n  - log: a\n", "a\n")
	writeScenario(t, filepath.Join(dir, "b.yaml"), "main:\n  - log: b\n", "not b\n")
	var stdout, stderr bytes.Buffer
	c := &cli{stdout: &stdout, stderr: &stderr, colour: true, ttyErr: true}
	c.main([]string{"test", dir})
	out := stdout.String()
	for _, want := range []string{green + "ok" + reset + "   ", red + "FAIL" + reset + " ", red + "    -not b" + reset + "\n", green + "    +b" + reset + "\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%q", want, out)
		}
	}
	// A run under progressDelay draws no line.
	if stderr.Len() > 0 {
		t.Errorf("a short run drew a progress line: %q", stderr.String())
	}
	p := &progress{w: &stderr, status: func() string { return "test: 1/2 done" }, ready: true}
	p.print(func() {})
	if got := stderr.String(); got != "\r\x1b[Ktest: 1/2 done" {
		t.Errorf("progress line %q", got)
	}
	stderr.Reset()
	p.print(func() { stderr.WriteString("ok\n") })
	if got := stderr.String(); got != "\r\x1b[Kok\n\r\x1b[Ktest: 1/2 done" {
		t.Errorf("a result with the line: %q", got)
	}

	t.Setenv("NO_COLOR", "1")
	if colourOn(os.Stdout) {
		t.Error("colour with NO_COLOR set")
	}
	t.Setenv("NO_COLOR", "")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if colourOn(w) || isTerminal(w) {
		t.Error("a pipe is taken for a terminal")
	}
}
