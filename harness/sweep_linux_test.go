package harness

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSandboxSweep fills TMPDIR with a sandbox that a killed run left and entries that only look
// like one: a file with a user's notes, another user's directory, and the sandbox of a live run
// (one whose process id, dead here, lives in another PID namespace: the test holds its lock).
// Making a sandbox removes the killed run's and nothing else.
func TestSandboxSweep(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	in := func(name string) string { return filepath.Join(tmp, name) }
	dead := in("looptest-999999-0123456789abcdef")
	live := in("looptest-999999-fedcba9876543210")
	others := in("looptest-999999-x")
	othersExact := in("looptest-999999-00112233445566ff")
	notes := in("looptest-999999-file")
	for _, dir := range []string{dead, live, others, othersExact} {
		if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(notes, []byte("notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	kept := []string{live, notes}
	if os.Getuid() == 0 {
		for _, dir := range []string{others, othersExact} {
			if err := os.Lchown(dir, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}
		kept = append(kept, others, othersExact)
	}
	l, err := os.Open(live)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := unix.Flock(int(l.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}

	sb, err := newSandbox([]File{{Path: "a.txt", Content: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if _, err := os.Lstat(dead); err == nil {
		t.Errorf("the killed run's sandbox is still there")
	}
	for _, path := range kept {
		if _, err := os.Lstat(path); err != nil {
			t.Errorf("making a sandbox removed %s: %v", filepath.Base(path), err)
		}
	}
	if b, err := os.ReadFile(notes); string(b) != "notes\n" {
		t.Errorf("the notes hold %q (%v)", b, err)
	}
}
