package golden

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.golden")
	if err := os.WriteFile(path, []byte("one\ntwo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	crPath := filepath.Join(dir, "cr.golden")
	if err := os.WriteFile(crPath, []byte("abc\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		path    string
		got     string
		wantErr string // "" for no error
	}{{
		name: "same",
		path: path,
		got:  "one\ntwo\n",
	}, {
		name: "differs",
		path: path,
		got:  "two\none\n",
		wantErr: path + ": ordering differs from the golden file\n" +
			"--- " + path + " (golden)\n" +
			"+++ " + path + " (got)\n" +
			"@@ -1,2 +1,2 @@\n" +
			"-one\n" +
			" two\n" +
			"+one",
	}, {
		// An ordering is its lines: a last line without its newline is the same ordering.
		name: "final newline missing",
		path: path,
		got:  "one\ntwo",
	}, {
		// A line that ends in a carriage return, as -update writes it, reads back the same:
		// both sides are read as lines alike.
		name: "a line ending in CR round-trips",
		path: crPath,
		got:  "abc\r\n",
	}, {
		name:    "no golden",
		path:    filepath.Join(dir, "missing.golden"),
		got:     "one\n",
		wantErr: filepath.Join(dir, "missing.golden") + ": no golden file",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.path, "", []byte(tt.got))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Check: %v, want nil", err)
			case tt.wantErr == "":
				return
			case err == nil:
				t.Fatalf("Check: nil, want %q", tt.wantErr)
			case !strings.HasSuffix(err.Error(), tt.wantErr):
				t.Fatalf("Check error:\n%s\nwant (at its end):\n%s", err, tt.wantErr)
			}
		})
	}
}

func TestCheckMissingWrapsErrNotExist(t *testing.T) {
	err := Check(filepath.Join(t.TempDir(), "x.golden"), "", nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Check of a missing file: %v, want an error wrapping fs.ErrNotExist", err)
	}
}

func TestCheckMismatchError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.golden")
	if err := os.WriteFile(path, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Check(path, "x.yaml", []byte("b\n"))
	var m *MismatchError
	if !errors.As(err, &m) {
		t.Fatalf("Check: %v, want a *MismatchError", err)
	}
	want := Diff(path, []byte("a\n"), "x.yaml", []byte("b\n"))
	if m.Path != path || !bytes.Equal(m.Diff, want) {
		t.Errorf("MismatchError{%q, %q}, want {%q, %q}", m.Path, m.Diff, path, want)
	}
}

func TestCheckUnreadable(t *testing.T) {
	dir := t.TempDir() // a directory cannot be read as a file
	err := Check(dir, "", nil)
	if err == nil || errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), dir) {
		t.Errorf("Check of a directory: %v, want an error naming it", err)
	}
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name     string
		existing *string // content before Write; nil for no file
		data     string
	}{
		{name: "new file", data: "a\nb\n"},
		{name: "replace", existing: new("old content, longer than the new\n"), data: "new\n"},
		{name: "empty", existing: new("old\n"), data: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "x.golden")
			if tt.existing != nil {
				if err := os.WriteFile(path, []byte(*tt.existing), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := Write(path, []byte(tt.data)); err != nil {
				t.Fatalf("Write: %v", err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.data {
				t.Errorf("after Write, file holds %q, want %q", got, tt.data)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if perm := fi.Mode().Perm(); perm != 0o644 {
				t.Errorf("after Write, mode %v, want 0644", perm)
			}
			if err := Check(path, "", []byte(tt.data)); err != nil {
				t.Errorf("Check after Write: %v", err)
			}
			assertOnlyFile(t, dir, "x.golden")
		})
	}
}

func TestWriteRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := Write("x.golden", []byte("a\n")); err != nil {
		t.Fatalf("Write to a path without directory: %v", err)
	}
	assertOnlyFile(t, ".", "x.golden")
}

func TestWriteErrorsLeaveNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
	}{
		{name: "missing directory", path: filepath.Join(dir, "missing", "x.golden")},
		{name: "path is a directory", path: filepath.Join(dir, "sub")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(tt.path, []byte("data\n"))
			if err == nil || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("Write(%s): %v, want an error naming the path", tt.path, err)
			}
			assertOnlyFile(t, dir, "sub")
		})
	}
}

// TestWriteConcurrent checks that concurrent Writes of different contents
// to one path, read all the while, never show a reader anything but one
// whole content, and leave one whole content and no temporary file.
func TestWriteConcurrent(t *testing.T) {
	const (
		writers = 8
		writes  = 10
		size    = 64 << 10
	)
	dir := t.TempDir()
	path := filepath.Join(dir, "x.golden")
	contents := make([][]byte, writers)
	for i := range contents {
		contents[i] = bytes.Repeat([]byte{byte('a' + i)}, size)
	}
	if err := Write(path, contents[0]); err != nil {
		t.Fatal(err)
	}

	done := make(chan struct{})
	readerErr := make(chan error, 1)
	go func() {
		readerErr <- readWhole(path, size, done)
	}()
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			for range writes {
				if err := Write(path, contents[i]); err != nil {
					t.Errorf("Write: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	if err := <-readerErr; err != nil {
		t.Error(err)
	}
	if err := readWhole(path, size, nil); err != nil {
		t.Error(err)
	}
	assertOnlyFile(t, dir, "x.golden")
}

// readWhole reads path, again and again until done is closed (once if done
// is nil), and returns an error if it ever holds anything but size copies
// of one byte.
func readWhole(path string, size int, done <-chan struct{}) error {
	for {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if len(b) != size || len(bytes.Trim(b, string(b[:1]))) != 0 {
			return fmt.Errorf("read %d bytes, not one whole content of %d", len(b), size)
		}
		select {
		case <-done:
			return nil
		default:
			if done == nil {
				return nil
			}
		}
	}
}

// assertOnlyFile fails the test unless dir holds exactly one entry, name.
func assertOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != name {
		t.Errorf("directory holds %q, want only %q", names, name)
	}
}

// TestWriteKilled kills a process that keeps rewriting a golden file and
// checks that the file still holds one whole content.
func TestWriteKilled(t *testing.T) {
	if path := os.Getenv("GOLDEN_TEST_WRITE_FOREVER"); path != "" {
		writeForever(path)
		return
	}
	if testing.Short() {
		t.Skip("starts a process")
	}
	const size = 1 << 20
	dir := t.TempDir()
	path := filepath.Join(dir, "x.golden")

	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteKilled$")
	cmd.Env = append(os.Environ(), "GOLDEN_TEST_WRITE_FOREVER="+path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once it has replaced the file a few times, while it writes.
	seen := map[byte]bool{}
	deadline := time.Now().Add(time.Minute)
	for len(seen) < 3 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the writing process wrote %d contents in a minute, want 3", len(seen))
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil || len(b) != size {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("while writing: read %d bytes, %v; want %d", len(b), err, size)
		}
		seen[b[0]] = true
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if err := readWhole(path, size, nil); err != nil {
		t.Errorf("after kill: %v", err)
	}
}

// writeForever writes contents of 1 MiB of one byte to path in turn, until
// the process is killed.
func writeForever(path string) {
	for i := 0; ; i++ {
		if err := Write(path, bytes.Repeat([]byte{byte('a' + i%26)}, 1<<20)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
