//go:build unix

package looptest_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// looptestCommand returns a command that runs this test binary as the looptest command (as
// testscript.Main does for a binary named looptest), with TMPDIR set to tmp.
func looptestCommand(t *testing.T, tmp string, args ...string) *exec.Cmd {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "looptest")
	if err := os.Symlink(os.Args[0], bin); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	return cmd
}

// startLooptest writes src as NAME.yaml in a fresh directory and starts looptest with args and
// that file; it returns the command, its stdout and what it prints on stderr.
func startLooptest(t *testing.T, tmp, name, src string, args ...string) (*exec.Cmd, io.ReadCloser, *bytes.Buffer, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), name+".yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := looptestCommand(t, tmp, append(args, file)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, stdout, &stderr, file
}

// sandboxesIn lists what looptest left in tmp.
func sandboxesIn(t *testing.T, tmp string) []string {
	t.Helper()
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	return left
}

// TestSignalsStopARun sends SIGINT and SIGTERM to a real-clock run that waits for an hour, once
// it has printed its first line (flushed before poll waits), and checks that the run stops with
// status 130 or 143, the message, the ordering so far, and no sandbox left.
func TestSignalsStopARun(t *testing.T) {
	const src = "files: {a.txt: x}\nmain:\n  - log: started\n  - timeout: 1h\n    then: [{log: never}]\n"
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tt.sig.String(), func(t *testing.T) {
			tmp := t.TempDir()
			cmd, stdout, stderr, file := startLooptest(t, tmp, "wait", src, "run", "--clock", "real")
			out := bufio.NewReader(stdout)
			first, err := out.ReadString('\n')
			if first != "started\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("first line %q (%v), want started", first, err)
			}
			cmd.Process.Signal(tt.sig)
			rest, _ := out.ReadString(0)
			err = cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tt.code {
				t.Errorf("exit: %v, want status %d", err, tt.code)
			}
			if rest != "" {
				t.Errorf("printed %q after the signal", rest)
			}
			if want := file + ": stopped: interrupted\n"; stderr.String() != want {
				t.Errorf("stderr %q, want %q", stderr.String(), want)
			}
			if left := sandboxesIn(t, tmp); len(left) > 0 {
				t.Errorf("left in TMPDIR: %v", left)
			}
		})
	}
}

// TestClosedStdoutStopsARun reads one line of a long ordering and closes the pipe: the run stops
// with status 1 and a message, and leaves no sandbox, instead of dying of SIGPIPE.
func TestClosedStdoutStopsARun(t *testing.T) {
	const src = "files: {a.txt: x}\nmain:\n  - log: \"line ${i}\"\n    repeat: 1000000\n"
	tmp := t.TempDir()
	cmd, stdout, stderr, _ := startLooptest(t, tmp, "long", src, "run")
	first, _ := bufio.NewReader(stdout).ReadString('\n')
	stdout.Close()
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("exit: %v, want status 1; stderr: %s", err, stderr.String())
	}
	if first != "line 0\n" {
		t.Errorf("first line %q", first)
	}
	if want := ": stopped: the ordering could not be written: "; !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "broken pipe") {
		t.Errorf("stderr %q, want %q and broken pipe", stderr.String(), want)
	}
	if left := sandboxesIn(t, tmp); len(left) > 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
}
