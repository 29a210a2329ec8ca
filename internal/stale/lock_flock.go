//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package stale

import (
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// lock takes an exclusive flock on f, waiting for it if a sweep holds it.
func lock(f *os.File) error {
	return flock(f, unix.LOCK_EX)
}

// tryLock takes an exclusive flock on f if no one holds one, and reports whether it did.
func tryLock(f *os.File) bool {
	return flock(f, unix.LOCK_EX|unix.LOCK_NB) == nil
}

func flock(f *os.File, how int) error {
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	err = conn.Control(func(fd uintptr) {
		for {
			ferr = unix.Flock(int(fd), how)
			if ferr != unix.EINTR {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	return ferr
}

// owned reports whether fi belongs to this process's user.
func owned(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

// openNoFollow opens path for reading, failing if it is a symbolic link, and without waiting
// should it have become a FIFO.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// Rename gives f, made by Create, the name newpath and closes it. It renames before it closes,
// so that f stays locked, and so out of a sweep's reach, until it has its new name.
func Rename(f *os.File, newpath string) error {
	if err := os.Rename(f.Name(), newpath); err != nil {
		return err
	}
	return f.Close()
}
