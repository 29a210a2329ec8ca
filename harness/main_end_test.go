package harness

import (
	"io"
	"strings"
	"testing"

	"github.com/looptest/looptest/loop"
)

// The rule 19 tests: Node.js finishes running main before the first line printed after it,
// which decides these orders as Node.js v20 decided them in most runs
// (testdata/probes/main-end.cjs).

// The classic puzzle: a 0 ms timeout armed after the first log runs before main's immediate
// when lines are printed after main (Node.js: 30 of 30 and 40 of 40 runs).
func TestRule19LineAfterMainMakesTimeoutDue(t *testing.T) {
	assertOrder(t, `
main:
  - log: sync
  - promise: ~
    chain: [{then: [{log: promise}]}]
  - nextTick:
    then: [{log: nextTick}]
  - microtask:
    then: [{log: microtask}]
  - immediate:
    then: [{log: immediate}]
  - timeout: 0
    then: [{log: timeout}]
  - log: sync end
`, "sync", "sync end", "nextTick", "promise", "microtask", "timeout", "immediate")
}

// With nothing printed after main the timeout is not due when the first iteration begins, and
// the immediate runs first (Node.js: about half the runs either way); a nextTick that prints
// nothing changes nothing (16 and 26 of 40 timeout first).
func TestRule19NoLineAfterMain(t *testing.T) {
	assertOrder(t, `
main:
  - log: main
  - timeout: 0
    then: [{log: timeout}]
  - immediate:
    then: [{log: immediate}]
  - nextTick:
`, "main", "immediate", "timeout")
}

// A 2 ms timeout stays behind the immediate: finishing main takes about a millisecond, not two
// (Node.js: the immediate first in 28 and 29 runs of 40).
func TestRule19TwoMillisecondsStayBehind(t *testing.T) {
	assertOrder(t, `
main:
  - log: main
  - timeout: 2
    then: [{log: timeout}]
  - immediate:
    then: [{log: immediate}]
  - log: end
  - nextTick:
    then: [{log: tick}]
  - promise: ~
    chain: [{then: [{log: then}]}]
`, "main", "end", "tick", "then", "immediate", "timeout")
}

// The run's first line, printed after main, sets stdout up (rule 17) and takes nothing more:
// the time is spent once, by the first line after main only, and the trace says which.
func TestRule19SpentOnceAfterSetUp(t *testing.T) {
	trace := traceOf(t, `
main:
  - nextTick:
    then: [{log: a}, {log: b}]
  - microtask:
    then: [{log: c}]
`)
	if strings.Contains(trace, "finish main") {
		t.Errorf("the run's first line after main spent main's end too:\n%s", trace)
	}
	trace = traceOf(t, `
main:
  - log: main
  - nextTick:
    then: [{log: a}, {log: b}]
  - microtask:
    then: [{log: c}]
`)
	if n := strings.Count(trace, "finish main before the first line after it, taking 1ms"); n != 1 {
		t.Errorf("main's end spent %d times, want once:\n%s", n, trace)
	}
}

// traceOf runs src under the virtual clock and returns its trace, one event a line.
func traceOf(t *testing.T, src string) string {
	t.Helper()
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var rec loop.Recorder
	if err := s.Ended(s.Run(RunOptions{Out: io.Discard, Recorder: &rec})); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range rec.Events() {
		b.WriteString(e.String() + "\n")
	}
	return b.String()
}
