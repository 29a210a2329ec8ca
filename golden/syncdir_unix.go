//go:build unix

package golden

import "os"

// syncDir flushes the directory dir to stable storage, so that a file
// renamed into it stays renamed after a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}
