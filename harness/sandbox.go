package harness

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/looptest/looptest/internal/stale"
)

// A sandbox is the fresh directory that holds a run's files. Reads go through an os.Root on it,
// so that no path leads out of it: not .., not an absolute path, not a symbolic link, whether
// the path was written in the file or made at run time by interpolation.
type sandbox struct {
	dir  string
	root *os.Root
	lock *os.File // holds the directory's flock, which keeps other processes' sweeps off it
}

// testHookSandbox, if set by a test, is called with the sandbox's directory once the files are
// in it, before main runs.
var testHookSandbox func(dir string)

// sandboxes are the sandboxes' directories in TMPDIR: looptest-PID-RANDOM.
var sandboxes = &stale.Kind{Dir: true, Head: stale.HeadIs("looptest-")}

// newSandbox makes a fresh directory holding files in TMPDIR, named looptest-PID- and 16 random
// hexadecimal digits and locked while the sandbox lives, so that a later process can sweep it if
// this one is killed. The first sandbox of a process sweeps TMPDIR.
func newSandbox(files []File) (*sandbox, error) {
	stale.SweepOnce(os.TempDir(), sandboxes)
	dir, lock, err := stale.Mkdir(os.TempDir(), "looptest-")
	if err != nil {
		return nil, fmt.Errorf("making the sandbox: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		os.RemoveAll(dir)
		lock.Close()
		return nil, fmt.Errorf("making the sandbox: %w", err)
	}
	sb := &sandbox{dir: dir, root: root, lock: lock}
	for _, f := range files {
		if err := sb.write(f); err != nil {
			sb.Close()
			return nil, fmt.Errorf("writing file %s into the sandbox: %w", f.Path, errors.Unwrap(err))
		}
	}
	if testHookSandbox != nil {
		testHookSandbox(dir)
	}
	return sb, nil
}

func (sb *sandbox) write(f File) error {
	if dir, _ := splitDir(f.Path); dir != "" {
		if err := sb.root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return sb.root.WriteFile(f.Path, []byte(f.Content), 0o644)
}

// splitDir splits a slash-separated path into its directory and its base name.
func splitDir(p string) (dir, base string) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[:i], p[i+1:]
		}
	}
	return "", p
}

// Close removes the sandbox and everything in it, and then lets go of its lock.
func (sb *sandbox) Close() error {
	return errors.Join(sb.root.Close(), os.RemoveAll(sb.dir), sb.lock.Close())
}

// open opens name in the sandbox for reading, as fs.readFile's first request does. Its errors
// read as Node's do, naming the file as the scenario wrote it and never the sandbox, so that
// they are the same on every run.
func (sb *sandbox) open(name string) (*os.File, error) {
	if msg := checkRelPath(name); msg != "" {
		return nil, fmt.Errorf("%s, open '%s'", msg, name)
	}
	f, err := sb.root.Open(name)
	if err == nil {
		return f, nil
	}
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("ENOENT: no such file or directory, open '%s'", name)
	case errors.Is(err, syscall.ENOTDIR):
		return nil, fmt.Errorf("ENOTDIR: not a directory, open '%s'", name)
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("EACCES: permission denied, open '%s'", name)
	case errors.As(err, &pe) && pe.Err.Error() == "path escapes from parent":
		return nil, fmt.Errorf("the path leads out of the sandbox through a symbolic link, open '%s'", name)
	case errors.As(err, &pe):
		err = pe.Err
	}
	return nil, fmt.Errorf("%v, open '%s'", err, name)
}

// readChunk is one read request of a readFile: at most readChunkSize bytes, fewer at the end
// of the file (none past it), with a failure worded as Node.js words it.
func readChunk(f *os.File) ([]byte, error) {
	b := make([]byte, readChunkSize)
	n, err := io.ReadFull(f, b)
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		err = nil
	case errors.Is(err, syscall.EISDIR):
		return nil, errors.New("EISDIR: illegal operation on a directory, read")
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%v, read", err)
	}
	return b[:n], nil
}

// readChunkSize is the most one read request of fs.readFile or fs.promises.readFile takes
// (kReadFileBufferLength): a larger file takes one more request per 512 KiB.
const readChunkSize = 512 << 10
