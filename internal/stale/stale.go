// Package stale makes the sandboxes and temporary files of a looptest process, and sweeps those
// that a killed looptest process left behind.
//
// Each is named HEAD, the maker's process id, a dash and 16 lowercase hexadecimal digits drawn at
// random (looptest-4242-0f3a9c1e5b7d2864, say). While its maker lives, the maker holds an
// exclusive flock on the entry itself, through a descriptor it keeps open; the kernel drops that
// lock when the process dies, however it dies. A sweep removes an entry only if its name has
// exactly that form, it is a directory or a regular file as its [Kind] says (not a symbolic
// link), it belongs to this user, and its lock can be taken: then its maker is gone, whatever
// process id it had and in whichever PID namespace. The process id in the name is only there for
// people to read.
//
// Where there is no flock (see lock_other.go) nothing is locked and nothing is swept.
package stale

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
)

// A Kind is one sort of entry that looptest makes and sweeps.
type Kind struct {
	// Dir says that entries of this kind are directories; otherwise they are regular files.
	Dir bool
	// Head reports whether head is a start that looptest gives to names of this kind: what
	// comes before the process id. A head must not end in a digit.
	Head func(head string) bool
}

// randLen is the number of hexadecimal digits at the end of a name.
const randLen = 16

// name returns head, this process's id, a dash and randLen random hexadecimal digits.
func name(head string) string {
	b := make([]byte, randLen/2)
	rand.Read(b)
	return head + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b)
}

// match reports whether name is one that k's maker could have made: a head k accepts, a process
// id (decimal, no leading zero), a dash and randLen lowercase hexadecimal digits.
func (k *Kind) match(name string) bool {
	n := len(name) - randLen - 1
	if n < 0 || name[n] != '-' {
		return false
	}
	for _, c := range name[n+1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	i := n
	for i > 0 && '0' <= name[i-1] && name[i-1] <= '9' {
		i--
	}
	if i == n || name[i] == '0' || n-i > 10 {
		return false
	}
	return k.Head(name[:i])
}

// Mkdir makes a directory in parent (os.TempDir() if "") named head, this process's id, a dash
// and random digits, with mode 0700, and locks it. It returns the directory's path and the
// descriptor that holds the lock: close it after removing the directory, not before.
func Mkdir(parent, head string) (path string, lock *os.File, err error) {
	if parent == "" {
		parent = os.TempDir()
	}
	for range 100 {
		path = filepath.Join(parent, name(head))
		if err := os.Mkdir(path, 0o700); errors.Is(err, fs.ErrExist) {
			continue
		} else if err != nil {
			return "", nil, err
		}
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // a sweep took it between its making and its opening: make another
		}
		if err != nil {
			os.Remove(path)
			return "", nil, err
		}
		if claim(path, f) {
			return path, f, nil
		}
		f.Close() // a sweep took it between its making and its locking: make another
	}
	return "", nil, &fs.PathError{Op: "mkdir", Path: filepath.Join(parent, head+"*"), Err: fs.ErrExist}
}

// Create makes a regular file in dir named head, this process's id, a dash and random digits,
// with mode 0600, opened for reading and writing, and locked until it is closed. Rename it
// with [Rename], which keeps it locked until it has its new name.
func Create(dir, head string) (*os.File, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	for range 100 {
		path := filepath.Join(dir, name(head))
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		if claim(path, f) {
			return f, nil
		}
		f.Close()
	}
	return nil, &fs.PathError{Op: "open", Path: filepath.Join(dir, head+"*"), Err: fs.ErrExist}
}

// claim locks f, just made at path, and reports whether path is still f: a sweep that opened and
// locked it first (taking it for a dead process's) removes it before it lets go of the lock.
// Where the file system refuses the lock, no sweep can take it either, and claim reports true.
func claim(path string, f *os.File) bool {
	if err := lock(f); err != nil {
		return true
	}
	fi, err := f.Stat()
	if err != nil {
		return true
	}
	now, err := os.Lstat(path)
	return err == nil && os.SameFile(fi, now)
}

// Sweep removes, now, the entries of dir of kind k whose maker is gone. It leaves everything else
// alone, and reports nothing: what it cannot remove stays for a later sweep.
func Sweep(dir string, k *Kind) {
	readDirs.Add(1)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if k.match(e.Name()) {
			sweep(filepath.Join(dir, e.Name()), k.Dir)
		}
	}
}

// sweep removes path if it is a directory (dir) or a regular file of this user's that no live
// process holds locked.
func sweep(path string, dir bool) {
	fi, err := os.Lstat(path)
	if err != nil || !ofKind(fi, dir) || !owned(fi) {
		return
	}
	f, err := openNoFollow(path)
	if err != nil {
		return
	}
	defer f.Close() // after the removal: the lock keeps its maker's retry off a name in use
	if ffi, err := f.Stat(); err != nil || !os.SameFile(fi, ffi) || !tryLock(f) {
		return
	}
	if now, err := os.Lstat(path); err != nil || !os.SameFile(fi, now) {
		return
	}
	if dir {
		os.RemoveAll(path)
	} else {
		os.Remove(path)
	}
}

// ofKind reports whether fi is a directory (dir) or a regular file (!dir).
func ofKind(fi fs.FileInfo, dir bool) bool {
	if dir {
		return fi.Mode().IsDir()
	}
	return fi.Mode().IsRegular()
}

// swept holds a *sync.Once per directory and kind that SweepOnce has swept.
var swept sync.Map

type sweepKey struct {
	dir  string
	kind *Kind
}

// SweepOnce sweeps dir for k, as Sweep does, the first time it is called with this directory and
// kind in this process, and does nothing on later calls: what a killed process left there is
// gone after the first sweep, and what this process leaves is its own.
func SweepOnce(dir string, k *Kind) {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	once, _ := swept.LoadOrStore(sweepKey{filepath.Clean(dir), k}, new(sync.Once))
	once.(*sync.Once).Do(func() { Sweep(dir, k) })
}

// readDirs counts the directories Sweep has read.
var readDirs atomic.Int64

// ReadDirs returns how many times this process has read a directory to sweep it, for tests.
func ReadDirs() int64 { return readDirs.Load() }

// HeadIs returns a Head that accepts want alone.
func HeadIs(want string) func(string) bool {
	return func(h string) bool { return h == want }
}
