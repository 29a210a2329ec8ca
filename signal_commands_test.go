//go:build unix

package looptest_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// waitStatus waits for cmd, at most a generous minute (then it kills it and fails), and checks
// that it ended with status want.
func waitStatus(t *testing.T, cmd *exec.Cmd, want int, stderr *bytes.Buffer) {
	t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != want {
			t.Errorf("exit: %v, want status %d; stderr: %s", err, want, stderr)
		}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("still running a minute after the signal; stderr: %s", stderr)
	}
}

// waitForEntry waits until something appears in dir: a sandbox or a program's directory, made
// after the signals are set up. It fails the test after a minute.
func waitForEntry(t *testing.T, cmd *exec.Cmd, dir string) {
	t.Helper()
	for start := time.Now(); time.Since(start) < time.Minute; time.Sleep(5 * time.Millisecond) {
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			return
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	t.Fatalf("nothing appeared in %s", dir)
}

// spin is a scenario whose run takes a while: an interval every millisecond for 100 s, 100000
// callbacks, with a file, so that each run has a sandbox.
const spin = "files: {a.txt: x}\nmain:\n  - interval: 1\n    id: forever\n  - timeout: 100s\n    then:\n      - clear: forever\n"

// TestSignalStopsExplore interrupts an exploration of a long scenario, 1001 runs of most of a second each:
// it stops with status 130, leaving no sandbox, instead of going on with the runs (and only then
// giving the status).
func TestSignalStopsExplore(t *testing.T) {
	tmp := t.TempDir()
	cmd, _, stderr, _ := startLooptest(t, tmp, "spin", spin, "explore", "--runs", "1000")
	waitForEntry(t, cmd, tmp)
	cmd.Process.Signal(syscall.SIGINT)
	waitStatus(t, cmd, 130, stderr)
	if left := sandboxesIn(t, tmp); len(left) > 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
}

// TestSignalStopsDiffReading interrupts a diff that reads an ordering from a named pipe whose
// writer writes nothing: it stops with status 130.
func TestSignalStopsDiffReading(t *testing.T) {
	dir := t.TempDir()
	fifo, other := filepath.Join(dir, "left.txt"), filepath.Join(dir, "right.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	if err := os.WriteFile(other, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := looptestCommand(t, t.TempDir(), "diff", fifo, other)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The pipe opens for writing once looptest opens it to read, after it set up its signals.
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal(err)
	}
	defer w.Close()
	cmd.Process.Signal(syscall.SIGINT)
	waitStatus(t, cmd, 130, &stderr)
}

// TestSignalStopsDiffWithNode sends SIGTERM to a diff whose right side is a scenario that Node.js
// runs for an hour: looptest stops Node.js and itself, with status 143, and leaves nothing in
// TMPDIR.
func TestSignalStopsDiffWithNode(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skipf("no Node.js: %v", err)
	}
	file := filepath.Join(t.TempDir(), "wait.yaml")
	if err := os.WriteFile(file, []byte("main:\n  - log: started\n  - timeout: 1h\n    then: [{log: never}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	cmd := looptestCommand(t, tmp, "diff", file+"@virtual", file+"@node")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForEntry(t, cmd, tmp) // the directory of Node.js's program
	cmd.Process.Signal(syscall.SIGTERM)
	waitStatus(t, cmd, 143, &stderr)
	if left := sandboxesIn(t, tmp); len(left) > 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
}
