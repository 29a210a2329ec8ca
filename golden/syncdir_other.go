//go:build !unix

package golden

// syncDir does nothing where directories cannot be opened and flushed like
// files: there, a rename is made durable by the file system itself, or not
// at all.
func syncDir(dir string) error { return nil }
