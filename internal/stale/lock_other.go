//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package stale

import (
	"errors"
	"io/fs"
	"os"
)

// Without flock, nothing is locked and nothing can be shown to be dead: nothing is swept.

func lock(*os.File) error { return errors.ErrUnsupported }

func tryLock(*os.File) bool { return false }

func owned(fs.FileInfo) bool { return false }

func openNoFollow(string) (*os.File, error) { return nil, errors.ErrUnsupported }

// Rename gives f, made by Create, the name newpath and closes it. It closes first, as some
// systems do not rename an open file; f holds no lock here.
func Rename(f *os.File, newpath string) error {
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), newpath)
}
