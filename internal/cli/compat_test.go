//go:build unix

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/looptest/looptest/internal/verdict"

	"github.com/looptest/looptest/internal/lttest"
)

// hangRuntime is a runtime that never ends and ignores SIGINT and SIGTERM: it starts a child
// that writes its process id to $OUT/child.pid and sleeps, writes its own to
// $OUT/runtime.pid, and sleeps.
const hangRuntime = `#!/bin/sh
trap '' INT TERM
sh -c 'trap "" INT TERM; echo $$ > "$OUT/child.pid"; exec sleep 1000' &
echo $$ > "$OUT/runtime.pid"
while :; do sleep 1; done
`

// compatWithHang runs compat on a one-line scenario in the hanging runtime, with args, stop as
// the CLI's stop channel, and OUT set to out; it fails the test if compat has not returned
// after a minute.
func compatWithHang(t *testing.T, out string, stop <-chan struct{}, args ...string) (status int, stdout string, took time.Duration) {
	t.Helper()
	dir := t.TempDir()
	rt := filepath.Join(dir, "hang.sh")
	scenario := filepath.Join(dir, "plain.yaml")
	if err := os.WriteFile(rt, []byte(hangRuntime), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(scenario, []byte("main:\n  - log: a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OUT", out)
	t.Setenv("TMPDIR", t.TempDir())
	var o, e bytes.Buffer
	done := make(chan int, 1)
	start := time.Now()
	go func() {
		args = append([]string{"compat", "--runs", "1", "--runtimes", "hang", "--runtime", "hang=" + rt}, args...)
		done <- (&cli{stdout: &o, stderr: &e, stop: stop}).main(append(args, scenario))
	}()
	select {
	case status = <-done:
	case <-time.After(time.Minute):
		t.Fatal("compat still runs after a minute")
	}
	if left, _ := os.ReadDir(os.Getenv("TMPDIR")); len(left) > 0 {
		t.Errorf("compat left %s in TMPDIR", left[0].Name())
	}
	t.Logf("stdout:\n%sstderr:\n%s", o.String(), e.String())
	return status, o.String(), time.Since(start)
}

// TestCompatCutsAHangAtMaxWall checks that a runtime that hangs is stopped at --max-wall: an
// error cell, status 1, and neither the runtime nor its child left running.
func TestCompatCutsAHangAtMaxWall(t *testing.T) {
	out := t.TempDir()
	status, stdout, took := compatWithHang(t, out, nil, "--max-wall", "2s")
	if status != exitFailed {
		t.Errorf("compat: status %d, want %d", status, exitFailed)
	}
	if took < 2*time.Second { // no upper bound but the hang guard: a busy machine may be slow
		t.Errorf("compat took %v with --max-wall 2s", took)
	}
	if !strings.Contains(stdout, "hang: 1 error") || !strings.Contains(stdout, "hang: no result after 2s") {
		t.Errorf("compat printed no error cell for the hang")
	}
	processesGone(t, out)
}

// TestCompatStops checks that closing the CLI's stop channel (SIGINT, SIGTERM) stops a runtime
// that hangs and ignores both, long before --max-wall, and kills its child too.
func TestCompatStops(t *testing.T) {
	out := t.TempDir()
	stop := make(chan struct{})
	go func() {
		// Once the runtime has started its child; with no runtime, after the guard.
		// A pid file is whole once its line ends: the shell creates it before it writes.
		written := func(name string) bool {
			b, err := os.ReadFile(filepath.Join(out, name))
			return err == nil && strings.HasSuffix(string(b), "\n")
		}
		for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if written("runtime.pid") && written("child.pid") {
				break
			}
		}
		close(stop)
	}()
	status, stdout, _ := compatWithHang(t, out, stop, "--max-wall", "1h") // it fails the test if compat has not returned within a minute
	if status != exitFailed {
		t.Errorf("compat: status %d, want %d", status, exitFailed)
	}
	if !strings.Contains(stdout, "stopped: interrupted") {
		t.Errorf("compat did not say the run was stopped")
	}
	processesGone(t, out)
}

// processesGone checks that the processes whose ids the hanging runtime wrote to out are gone
// (or zombies), waiting a little for them; it kills any that stay.
func processesGone(t *testing.T, out string) {
	t.Helper()
	for _, name := range []string{"runtime.pid", "child.pid"} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Errorf("the runtime wrote no %s: %v", name, err)
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 1 {
			t.Errorf("%s: %q is not a process id", name, b)
			continue
		}
		deadline := time.Now().Add(5 * time.Second)
		for lttest.Running(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if lttest.Running(pid) {
			t.Errorf("process %d (%s) still runs after compat returned", pid, name)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// TestCellCountsOrderings: a cell says 1 ordering, 2 orderings.
func TestCellCountsOrderings(t *testing.T) {
	one := compatCell{orderings: []string{"a"}, runs: 3, worst: verdict.Judgement{Verdict: verdict.Fail}}
	if got := one.word(true); got != "tight (1 ordering)" {
		t.Errorf("one ordering, tight: %q", got)
	}
	two := compatCell{orderings: []string{"a", "b"}, runs: 3, worst: verdict.Judgement{Verdict: verdict.Fail}}
	if got := two.word(false); got != "unstable (2 orderings)" {
		t.Errorf("two orderings: %q", got)
	}
}
