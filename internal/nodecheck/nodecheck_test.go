package nodecheck_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/lttest"
	"github.com/looptest/looptest/internal/nodecheck"
)

func parse(t *testing.T, src string) *harness.Scenario {
	t.Helper()
	s, err := harness.Parse("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// needNode skips the test when node is not installed.
func needNode(t *testing.T) {
	t.Helper()
	if _, err := nodecheck.Find(context.Background(), ""); errors.Is(err, nodecheck.ErrNoNode) {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
}

func TestRunWithoutNode(t *testing.T) {
	for _, node := range []string{"looptest-no-such-node", filepath.Join(t.TempDir(), "node")} {
		if _, err := nodecheck.Find(context.Background(), node); !errors.Is(err, nodecheck.ErrNoNode) {
			t.Errorf("Find(%s): %v, want an error wrapping ErrNoNode", node, err)
		}
	}
	t.Setenv("PATH", t.TempDir()) // no node in it
	s := parse(t, "main:\n  - log: hi\n")
	out, err := nodecheck.Run(context.Background(), s, nodecheck.Options{Timeout: nodecheck.DefaultTimeout})
	if !errors.Is(err, nodecheck.ErrNoNode) {
		t.Errorf("Run without node in PATH: %v, want an error wrapping ErrNoNode", err)
	}
	if out != nil {
		t.Errorf("Run without node in PATH printed %q", out)
	}
}

func TestFindRefusesOldNode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake node is a shell script")
	}
	fake := filepath.Join(t.TempDir(), "node")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho v18.19.0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := nodecheck.Find(context.Background(), fake)
	if err == nil || !strings.Contains(err.Error(), "v18.19.0") || !strings.Contains(err.Error(), "Node.js 20 or later") {
		t.Errorf("Find(%s) = %v, want an error naming v18.19.0 and Node.js 20", fake, err)
	}
}

// TestRunOrdering runs a scenario that uses the pool, the delay server and the close phase, and
// checks that Node.js orders it as looptest does.
func TestRunOrdering(t *testing.T) {
	lttest.NeedRealTime(t)
	needNode(t)
	s := parse(t, `
threadpool: 1
files:
  a.txt: "12345"
main:
  - read: a.txt
    cost: 20ms
    as: text
    then:
      - log: "read ${text.len} bytes"
      - encrypt: 20
        cost: 20ms
        as: n
        then:
          - log: "fib(20) = ${n}"
  - http: /a
    delay: 300ms
    respond: {status: 418, body: "short and stout"}
    as: res
    then:
      - log: "${res.status} ${res.body}"
      - immediate:
        then:
          - log: immediate
    closed:
      - log: closed
  - timeout: 200
    then:
      - log: timeout
`)
	var want bytes.Buffer
	if err := s.Run(harness.RunOptions{Out: &want}); err != nil {
		t.Fatal(err)
	}
	got, err := nodecheck.Run(context.Background(), s, nodecheck.Options{Timeout: nodecheck.DefaultTimeout})
	if err != nil {
		t.Fatalf("%v; printed:\n%s", err, got)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("Node.js printed:\n%s\nlooptest printed:\n%s", got, want.String())
	}
}

// TestRunStepFailure checks that a failed step ends the Node.js run as it ends looptest's: what
// was printed before, status 1, and looptest's message.
func TestRunStepFailure(t *testing.T) {
	lttest.NeedRealTime(t)
	needNode(t)
	s := parse(t, `
main:
  - log: before
  - read: missing.txt
    then:
      - log: never
  - timeout: 300
    then:
      - log: never either
`)
	var want bytes.Buffer
	runErr := s.Run(harness.RunOptions{Out: &want})
	if runErr == nil {
		t.Fatal("looptest's run did not fail")
	}
	got, err := nodecheck.Run(context.Background(), s, nodecheck.Options{Timeout: nodecheck.DefaultTimeout})
	var re *nodecheck.RunError
	if !errors.As(err, &re) || re.Status != 1 {
		t.Fatalf("Run: %v, want a RunError with status 1", err)
	}
	if re.Stderr != runErr.Error() {
		t.Errorf("node's stderr: %q, want looptest's message %q", re.Stderr, runErr.Error())
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("Node.js printed %q, looptest %q", got, want.Bytes())
	}
}

func TestRunTimeout(t *testing.T) {
	needNode(t)
	s := parse(t, "main:\n  - log: started\n  - timeout: 1h\n    then:\n      - log: too late\n")
	start := time.Now()
	got, err := nodecheck.Run(context.Background(), s, nodecheck.Options{Timeout: 3 * time.Second})
	var re *nodecheck.RunError
	if !errors.As(err, &re) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run: %v, want a RunError wrapping context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > time.Minute {
		t.Errorf("Run took %v with a 3s timeout", elapsed)
	}
	if string(got) != "started\n" {
		t.Errorf("Run printed %q before its timeout, want %q", got, "started\n")
	}
}

// TestRunThreadpool checks that the scenario's pool size holds in Node.js: with one worker, a
// 10 ms task waits for the 150 ms task submitted before it; with four it would be done first.
func TestRunThreadpool(t *testing.T) {
	lttest.NeedRealTime(t)
	needNode(t)
	s := parse(t, `
threadpool: 1
main:
  - encrypt: 1
    cost: 150ms
    then:
      - log: first
  - encrypt: 2
    cost: 10ms
    then:
      - log: second, queued behind the first
`)
	got, err := nodecheck.Run(context.Background(), s, nodecheck.Options{Timeout: nodecheck.DefaultTimeout})
	if err != nil {
		t.Fatal(err)
	}
	if want := "first\nsecond, queued behind the first\n"; string(got) != want {
		t.Errorf("Node.js printed %q, want %q", got, want)
	}
}

func TestMeasureLoad(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      nodecheck.Load
	}{
		{"timers only", "main:\n  - timeout: 10\n    then: [{log: x}]\n", nodecheck.Load{}},
		{"a block", "main:\n  - block: 10ms\n", nodecheck.Load{Threads: 1}},
		// Three tasks start together; the loop blocks while they run.
		{"tasks beside a block", `
main:
  - encrypt: 1
    cost: 100ms
  - encrypt: 2
    cost: 50ms
  - encrypt: 3
    cost: 50ms
  - block: 20ms
`, nodecheck.Load{Threads: 4, Pool: true}},
		// One worker: the second task starts when the first finishes, never beside it.
		{"one worker", `
threadpool: 1
main:
  - encrypt: 1
    cost: 100ms
  - encrypt: 2
    cost: 50ms
`, nodecheck.Load{Threads: 1, Pool: true}},
		// A failed run is measured up to its failure.
		{"a failed read", "main:\n  - read: missing.txt\n", nodecheck.Load{Threads: 1, Pool: true}},
	} {
		got, err := nodecheck.MeasureLoad(parse(t, c.src))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: MeasureLoad = %+v, want %+v", c.name, got, c.want)
		}
	}
}
