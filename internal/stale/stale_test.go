//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package stale

import (
	_ "github.com/looptest/looptest/internal/lttest" // every test binary understands -update

	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testKind = &Kind{Dir: true, Head: HeadIs("looptest-")}

func TestMatch(t *testing.T) {
	for name, want := range map[string]bool{
		"looptest-999999-0123456789abcdef":      true,
		"looptest-1-ffffffffffffffff":           true,
		"looptest-999999-file":                  false,
		"looptest-999999-x":                     false,
		"looptest-999999-0123456789ABCDEF":      false,
		"looptest-999999-0123456789abcde":       false,
		"looptest-999999-0123456789abcdef0":     false,
		"looptest-0999999-0123456789abcdef":     false,
		"looptest--0123456789abcdef":            false,
		"looptest-99999999999-0123456789abcdef": false,
		"looptest-bench-0123456789abcdef":       false,
		"xlooptest-999999-0123456789abcdef":     false,
		"looptest-999999-0123456789abcdef/":     false,
		name("looptest-"):                       true,
	} {
		if got := testKind.match(name); got != want {
			t.Errorf("match(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestSweep checks what a sweep removes: only unlocked directories of this user's named exactly
// as Mkdir names them.
func TestSweep(t *testing.T) {
	dir := t.TempDir()
	in := func(name string) string { return filepath.Join(dir, name) }
	dead := in("looptest-999999-0123456789abcdef")
	for _, d := range []string{dead, in("looptest-999999-x"), in("looptest-999999-00000000000000ff")} {
		if err := os.MkdirAll(filepath.Join(d, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	kept := []string{in("looptest-999999-x")}
	if os.Getuid() == 0 {
		// Another user's directory, named exactly so.
		if err := os.Lchown(in("looptest-999999-00000000000000ff"), 65534, 65534); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, in("looptest-999999-00000000000000ff"))
	} else {
		os.RemoveAll(in("looptest-999999-00000000000000ff"))
	}
	// A file and a symbolic link named exactly so.
	if err := os.WriteFile(in("looptest-999999-1111111111111111"), []byte("notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dead, "sub"), in("looptest-999999-2222222222222222")); err != nil {
		t.Fatal(err)
	}
	kept = append(kept, in("looptest-999999-1111111111111111"), in("looptest-999999-2222222222222222"))
	// A live one of this process's, and one of a live process whose id is dead here.
	mine, held, err := Mkdir(dir, "looptest-")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	other := in("looptest-999999-3333333333333333")
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(other)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := lock(f); err != nil {
		t.Fatal(err)
	}
	kept = append(kept, mine, other)

	before := ReadDirs()
	Sweep(dir, testKind)
	if n := ReadDirs() - before; n != 1 {
		t.Errorf("Sweep read %d directories, want 1", n)
	}
	if _, err := os.Lstat(dead); err == nil {
		t.Errorf("a dead process's directory is still there")
	}
	for _, path := range kept {
		if _, err := os.Lstat(path); err != nil {
			t.Errorf("Sweep removed %s: %v", filepath.Base(path), err)
		}
	}
}

// TestSweepFiles checks that a Kind of files removes unlocked regular files only, and not the
// file Create holds.
func TestSweepFiles(t *testing.T) {
	dir := t.TempDir()
	kind := &Kind{Head: HeadIs(".x.tmp")}
	dead := filepath.Join(dir, ".x.tmp999999-0123456789abcdef")
	asDir := filepath.Join(dir, ".x.tmp999999-1111111111111111")
	if err := os.WriteFile(dead, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(asDir, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := Create(dir, ".x.tmp")
	if err != nil {
		t.Fatal(err)
	}
	Sweep(dir, kind)
	if _, err := os.Lstat(dead); err == nil {
		t.Errorf("a dead process's file is still there")
	}
	for _, path := range []string{asDir, f.Name()} {
		if _, err := os.Lstat(path); err != nil {
			t.Errorf("Sweep removed %s: %v", filepath.Base(path), err)
		}
	}
	if err := Rename(f, filepath.Join(dir, "x")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "x")); err != nil {
		t.Error(err)
	}
}

// TestSweepOnce checks that a directory is read once per process and kind, however it is named.
func TestSweepOnce(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.Mkdir("sub", 0o755); err != nil {
		t.Fatal(err)
	}
	before := ReadDirs()
	for range 100 {
		SweepOnce(filepath.Join(dir, "sub"), testKind)
		SweepOnce("sub", testKind)
		SweepOnce("sub/", testKind)
		SweepOnce("./sub/../sub", testKind)
	}
	if n := ReadDirs() - before; n != 1 {
		t.Errorf("SweepOnce read the directory %d times, want once", n)
	}
	SweepOnce("sub", &Kind{Head: HeadIs(".x.tmp")})
	if n := ReadDirs() - before; n != 2 {
		t.Errorf("SweepOnce for another kind: %d reads, want 2", n)
	}
}

// TestSweepAfterKill starts a process that makes a directory and a file and waits: a sweep keeps
// them while it lives, and removes them once it has been killed with SIGKILL.
func TestSweepAfterKill(t *testing.T) {
	if dir := os.Getenv("STALE_TEST_HOLD"); dir != "" {
		d, _, err := Mkdir(dir, "looptest-")
		if err != nil {
			panic(err)
		}
		f, err := Create(dir, ".x.tmp")
		if err != nil {
			panic(err)
		}
		os.Stdout.WriteString(d + "\n" + f.Name() + "\n")
		select {}
	}
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSweepAfterKill$")
	cmd.Env = append(os.Environ(), "STALE_TEST_HOLD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	r := bufio.NewReader(out)
	d, _ := r.ReadString('\n')
	f, _ := r.ReadString('\n')
	d, f = strings.TrimSpace(d), strings.TrimSpace(f)
	if d == "" || f == "" {
		t.Fatal("the process printed no paths")
	}
	files := &Kind{Head: HeadIs(".x.tmp")}
	Sweep(dir, testKind)
	Sweep(dir, files)
	for _, path := range []string{d, f} {
		if _, err := os.Lstat(path); err != nil {
			t.Fatalf("a sweep removed %s of a live process: %v", path, err)
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	Sweep(dir, testKind)
	Sweep(dir, files)
	for _, path := range []string{d, f} {
		if _, err := os.Lstat(path); err == nil {
			t.Errorf("%s of a killed process is still there", path)
		}
	}
}

// TestClaimLosesToASweep checks that a maker whose new entry a sweep locked first, and removed,
// does not take it for its own.
func TestClaimLosesToASweep(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".x.tmp999999-0123456789abcdef")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	sweeper, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if !tryLock(sweeper) {
		t.Fatal("no lock on a fresh file")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	claimed := make(chan bool)
	go func() { claimed <- claim(path, f) }()
	time.Sleep(20 * time.Millisecond)
	os.Remove(path)
	sweeper.Close()
	if <-claimed {
		t.Error("claim took a removed entry for its own")
	}
}
