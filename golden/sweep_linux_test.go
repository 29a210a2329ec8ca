package golden

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// leftover is a name a looptest process 999999 (long dead, or never alive) gives a temporary
// golden of x.golden.
const leftover = ".x.golden.tmp999999-0123456789abcdef"

// TestWriteSweepsOnlyLeftovers puts next to a golden the temporary golden a killed run left, of a
// golden that this Write does not rewrite, and files and directories that only look like one:
// Write removes the leftover and nothing else.
func TestWriteSweepsOnlyLeftovers(t *testing.T) {
	dir := t.TempDir()
	in := func(name string) string { return filepath.Join(dir, name) }
	for name, content := range map[string]string{
		".y.golden.tmp999999-0123456789abcdef":  "half a golden",
		".x.golden.tmp999999-notes":             "notes",
		".x.golden.tmp999999-b.yaml":            "main: []\n",
		".x.golden.tmp999999-0123456789ABCDEF":  "upper case",
		".x.golden.tmp0999999-0123456789abcdef": "leading zero",
		"..tmp999999-0123456789abcdef":          "no golden name",
		"looptest-999999-0123456789abcdef":      "a sandbox's name on a file",
		"target":                                "what a link points to",
	} {
		if err := os.WriteFile(in(name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(in(".x.golden.tmp999999-backup"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in(".x.golden.tmp999999-backup/x.golden"), []byte("saved"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A directory and a symbolic link with a leftover's name.
	if err := os.Mkdir(in(".z.golden.tmp999999-0123456789abcdef"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("target", in(leftover)); err != nil {
		t.Fatal(err)
	}
	if err := Write(in("x.golden"), []byte("a\n")); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range entries {
		got[e.Name()] = true
	}
	if got[".y.golden.tmp999999-0123456789abcdef"] {
		t.Errorf("the leftover of a killed run, of a golden not rewritten, is still there")
	}
	for _, name := range []string{
		".x.golden.tmp999999-notes", ".x.golden.tmp999999-b.yaml", ".x.golden.tmp999999-backup",
		".x.golden.tmp999999-0123456789ABCDEF", ".x.golden.tmp0999999-0123456789abcdef",
		"..tmp999999-0123456789abcdef", "looptest-999999-0123456789abcdef", "target",
		".z.golden.tmp999999-0123456789abcdef", leftover, "x.golden",
	} {
		if !got[name] {
			t.Errorf("Write removed %s", name)
		}
	}
	if b, err := os.ReadFile(in(".x.golden.tmp999999-backup/x.golden")); string(b) != "saved" {
		t.Errorf("the directory's file holds %q (%v)", b, err)
	}
	if len(got) != 11 {
		t.Errorf("directory holds %v; want what was there, x.golden and no temporary golden", got)
	}
}

// TestWriteSweepKeepsOthersAndLiveFiles checks that a temporary golden of another user's, or one
// that a live process holds locked (a process whose id, dead here, lives in another PID
// namespace), is not removed.
func TestWriteSweepKeepsOthersAndLiveFiles(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("giving a file to another user takes root")
	}
	dir := t.TempDir()
	others := filepath.Join(dir, ".y.golden.tmp999999-0123456789abcdef")
	if err := os.WriteFile(others, []byte("theirs"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(others, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	live := filepath.Join(dir, leftover)
	f, err := os.Create(live)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if err := Write(filepath.Join(dir, "x.golden"), []byte("a\n")); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{others, live} {
		if _, err := os.Lstat(path); err != nil {
			t.Errorf("Write removed %s: %v", filepath.Base(path), err)
		}
	}
}

// TestWriteSweepsADirectoryOnce checks that the directory of goldens is swept at its first Write
// only: a leftover that appears later stays until another process sweeps.
func TestWriteSweepsADirectoryOnce(t *testing.T) {
	dir := t.TempDir()
	if err := Write(filepath.Join(dir, "x.golden"), []byte("a\n")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, leftover), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"x.golden", "y.golden"} {
		if err := Write(filepath.Join(dir, name), []byte("b\n")); err != nil {
			t.Fatal(err)
		}
		if err := Check(filepath.Join(dir, name), "", []byte("b\n")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, leftover)); err != nil {
		t.Errorf("a later Write swept the directory again: %v", err)
	}
}
