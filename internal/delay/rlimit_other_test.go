//go:build !unix

package delay

// maxOpenFiles returns how many files the process may open: here, assume
// enough.
func maxOpenFiles() int { return 1 << 20 }
