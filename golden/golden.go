// Package golden compares bytes with golden files and rewrites them.
//
// It knows nothing of event loops or scenarios: a golden file is a file whose
// whole content is the expected output, byte for byte. [Check] compares, and
// reports a difference as a [MismatchError] carrying a unified diff that says
// which side is the golden; [Write] replaces a golden atomically, so that a
// reader sees either the old content or the new one, never a truncated file;
// [Diff] and [SideBySide] show how two outputs differ.
package golden

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/looptest/looptest/internal/ordering"
	"github.com/looptest/looptest/internal/stale"
)

// Check reports whether the golden file at path holds exactly got; gotName names where got came
// from in the diff (the scenario, say), and "" means path.
//
// It returns nil when it does. When there is no file at path, the error says
// "PATH: no golden file" and wraps [fs.ErrNotExist], so that callers can
// recognise it with [errors.Is] and add their own advice. When the contents
// differ, the error is a *[MismatchError]. Any other failure to read the file
// is returned with the path in its message.
//
// The first Check or [Write] in a directory removes the temporary files that a killed
// process's Writes left there, as Write says.
func Check(path, gotName string, got []byte) error {
	stale.SweepOnce(filepath.Dir(path), temporaries)
	want, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &noGoldenError{path: path, err: err}
	}
	if err != nil {
		return fmt.Errorf("reading golden file: %w", err)
	}
	// A golden checked out with CRLF line ends (git's autocrlf, an editor) is the same
	// ordering: compare lines, as ordering.Split reads them, not bytes.
	if bytes.Equal(want, got) || slices.Equal(ordering.Split(want), ordering.Split(got)) {
		return nil
	}
	if gotName == "" {
		gotName = path
	}
	return &MismatchError{Path: path, Golden: want, Diff: Diff(path, want, gotName, got)}
}

// MismatchError reports that a golden file does not hold the expected bytes.
type MismatchError struct {
	// Path is the golden file's path, as given to Check.
	Path string
	// Golden is the golden file's content, as read.
	Golden []byte
	// Diff is the unified diff from the golden (lines starting with "-")
	// to the bytes given to Check (lines starting with "+"), as made by
	// [Diff]. It ends with a newline.
	Diff []byte
}

// Error returns "PATH: ordering differs from the golden file", a newline and
// the diff. The diff's final newline is left out, as error strings do not end
// in one.
func (e *MismatchError) Error() string {
	return e.Path + ": ordering differs from the golden file\n" +
		strings.TrimSuffix(string(e.Diff), "\n")
}

// noGoldenError reports a golden file that does not exist. Its message is
// "PATH: no golden file", and it unwraps to the error from the file system,
// which wraps fs.ErrNotExist.
type noGoldenError struct {
	path string
	err  error
}

func (e *noGoldenError) Error() string { return e.path + ": no golden file" }

func (e *noGoldenError) Unwrap() error { return e.err }

// Write replaces the file at path with data, atomically.
//
// It writes data to a temporary file in the same directory, named after the
// golden and this process (".NAME.tmpPID-" and 16 random hexadecimal digits), flushes it to
// stable storage, sets its mode to 0644, renames it over path and then flushes the directory,
// so that the rename itself survives a crash. A reader of path sees the old
// content or the new one, never a mixture or a truncated file, even if the
// process is killed while writing; concurrent Writes to one path leave the
// content of one of them. On error the temporary file is removed, except when
// the process dies before it can do so.
//
// The temporary file stays locked (flock) until it is renamed. The first Write or [Check] in a
// directory, in each process, removes the temporary files there that no live process holds:
// those of every golden, rewritten or not, but only regular files of this user's named exactly
// so.
//
// The directory must exist. If path is a symbolic link, the link itself is
// replaced by a regular file.
func Write(path string, data []byte) (err error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	stale.SweepOnce(dir, temporaries)
	f, err := stale.Create(dir, "."+name+".tmp")
	if err != nil {
		return fmt.Errorf("writing golden file %s: %w", path, err)
	}
	tmp, renamed := f.Name(), false
	defer func() {
		if err != nil && !renamed {
			f.Close() // Close may already have failed or succeeded: only cleanup matters here.
			os.Remove(tmp)
		}
	}()

	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing golden file %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("writing golden file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("writing golden file %s: %w", path, err)
	}
	if err := stale.Rename(f, path); err != nil {
		return fmt.Errorf("writing golden file %s: %w", path, err)
	}
	renamed = true
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("writing golden file %s: syncing its directory: %w", path, err)
	}
	return nil
}

// temporaries are the temporary files Write makes: .NAME.tmpPID-RANDOM, regular files.
var temporaries = &stale.Kind{Head: func(head string) bool {
	return len(head) > len("..tmp") && head[0] == '.' && strings.HasSuffix(head, ".tmp")
}}
