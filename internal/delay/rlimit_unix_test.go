//go:build unix

package delay

import "syscall"

// maxOpenFiles returns how many files the process may open.
func maxOpenFiles() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	return int(min(lim.Cur, 1<<20))
}
