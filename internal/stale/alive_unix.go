//go:build unix

package stale

import "syscall"

// alive reports whether a process with this id exists (one of another user's counts too).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
