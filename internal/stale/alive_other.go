//go:build !unix

package stale

// alive reports true: without a portable way to ask, nothing is swept.
func alive(int) bool { return true }
