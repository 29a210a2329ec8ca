//go:build unix

package nodecheck_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/looptest/looptest/internal/lttest"
	"github.com/looptest/looptest/internal/nodecheck"
)

// hangScript is a runtime that never ends: it starts a child that writes its process id to
// $OUT/child.pid and sleeps, writes its own to $OUT/runtime.pid, prints a line, and sleeps; both
// ignore SIGINT and SIGTERM. Each id is written whole before its file appears (a rename), so a
// test that waits for the file never reads half of it.
const hangScript = `#!/bin/sh
trap '' INT TERM
sh -c 'trap "" INT TERM; echo $$ > "$OUT/child.tmp"; mv "$OUT/child.tmp" "$OUT/child.pid"; exec sleep 1000' &
echo $$ > "$OUT/runtime.tmp"; mv "$OUT/runtime.tmp" "$OUT/runtime.pid"
echo started
while :; do sleep 1; done
`

// fakeRuntime writes script as an executable runtime in a fresh folder, with OUT set to a second
// fresh folder, and returns the runtime and that folder.
func fakeRuntime(t *testing.T, script string) (nodecheck.Runtime, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hang")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	t.Setenv("OUT", out)
	return nodecheck.Runtime{Name: "hang", Path: path}, out
}

// pidIn reads the process id a fake runtime wrote to file, and kills that process when the
// test ends, in case the run left it.
func pidIn(t *testing.T, file string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the fake runtime wrote no process id: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		t.Fatalf("%s: %q is not a process id", file, b)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	return pid
}

// gone waits a little for each process to be gone, and fails the test for those that stay.
func gone(t *testing.T, what map[string]int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for name, pid := range what {
		for lttest.Running(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if lttest.Running(pid) {
			t.Errorf("the %s (pid %d) still runs after the run ended", name, pid)
		}
	}
}

// TestRunKillsItsGroupOnTimeout runs a runtime that hangs, ignoring SIGINT and SIGTERM, with a
// child of its own: the run ends at its timeout with a RunError wrapping
// context.DeadlineExceeded, and neither process is left.
func TestRunKillsItsGroupOnTimeout(t *testing.T) {
	rt, out := fakeRuntime(t, hangScript)
	s := parse(t, "main:\n  - log: started\n")
	start := time.Now()
	got, err := runGuarded(t, func() ([]byte, error) {
		return nodecheck.Run(context.Background(), s, nodecheck.Options{Runtime: rt, Timeout: 2 * time.Second})
	})
	elapsed := time.Since(start)
	var re *nodecheck.RunError
	if !errors.As(err, &re) || !errors.Is(err, context.DeadlineExceeded) || re.Status != -1 {
		t.Errorf("Run: %v, want a RunError with status -1 wrapping context.DeadlineExceeded", err)
	}
	if elapsed < 2*time.Second { // no upper bound: a busy machine may be slow to reap
		t.Errorf("Run took %v with a 2s timeout", elapsed)
	}
	if string(got) != "started\n" {
		t.Errorf("Run printed %q, want %q", got, "started\n")
	}
	gone(t, map[string]int{"runtime": pidIn(t, filepath.Join(out, "runtime.pid")), "runtime's child": pidIn(t, filepath.Join(out, "child.pid"))})
}

// TestRunKillsItsGroupWhenStopped cancels the context of a run whose runtime hangs: the run
// ends at once, says it was stopped, and neither process is left.
func TestRunKillsItsGroupWhenStopped(t *testing.T) {
	rt, out := fakeRuntime(t, hangScript)
	s := parse(t, "main:\n  - log: started\n")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Cancel once the runtime has started its child.
		for {
			_, err1 := os.Stat(filepath.Join(out, "runtime.pid"))
			_, err2 := os.Stat(filepath.Join(out, "child.pid"))
			if err1 == nil && err2 == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
	}()
	_, err := runGuarded(t, func() ([]byte, error) {
		return nodecheck.Run(ctx, s, nodecheck.Options{Runtime: rt, Timeout: time.Hour})
	})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "hang: stopped: context canceled") {
		t.Errorf("Run: %v, want hang: stopped: context canceled", err)
	}
	gone(t, map[string]int{"runtime": pidIn(t, filepath.Join(out, "runtime.pid")), "runtime's child": pidIn(t, filepath.Join(out, "child.pid"))})
}

// TestRunFolderIsSwept checks that a run's folder, its program's TMPDIR, is named as a sandbox
// is, looptest-PID-..., so that a later looptest sweeps it if this one is killed, and that it is
// removed after the run.
func TestRunFolderIsSwept(t *testing.T) {
	rt, out := fakeRuntime(t, "#!/bin/sh\necho \"$TMPDIR\" > \"$OUT/tmpdir\"\necho \"$PWD\" > \"$OUT/pwd\"\n")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if _, err := nodecheck.Run(context.Background(), parse(t, "main:\n  - log: x\n"), nodecheck.Options{Runtime: rt, Timeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "tmpdir"))
	if err != nil {
		t.Fatal(err)
	}
	dir := strings.TrimSpace(string(b))
	prefix := "looptest-" + strconv.Itoa(os.Getpid()) + "-"
	if filepath.Dir(dir) != tmp || !strings.HasPrefix(filepath.Base(dir), prefix) {
		t.Errorf("the runtime's TMPDIR is %s, want %s/%s...", dir, tmp, prefix)
	}
	if pwd, _ := os.ReadFile(filepath.Join(out, "pwd")); strings.TrimSpace(string(pwd)) != dir {
		t.Errorf("the runtime ran in %s, not in its TMPDIR %s", pwd, dir)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("the run left %s in TMPDIR", left[0].Name())
	}
}

// runGuarded calls run, failing the test if it has not returned after a minute: a run that
// hangs fails the test rather than holding it until go test's own timeout.
func runGuarded(t *testing.T, run func() ([]byte, error)) ([]byte, error) {
	t.Helper()
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := run()
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		return r.out, r.err
	case <-time.After(time.Minute):
		t.Fatal("the run still runs after a minute")
		return nil, nil
	}
}
