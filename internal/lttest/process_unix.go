//go:build unix

package lttest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Running reports whether the process pid runs: it exists and is not a zombie waiting for its
// parent (or init) to reap it. Tests of what looptest kills ask it.
func Running(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && err != syscall.EPERM {
		return false
	}
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		// Gone since, or no /proc to tell a zombie by.
		_, noProc := os.Stat("/proc/self")
		return noProc != nil
	}
	// pid (comm) STATE ...: comm may hold spaces and parentheses; the state follows the last ')'.
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z' && s[i+2] != 'X'
	}
	return true
}
