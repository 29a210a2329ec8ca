//go:build unix

package nodecheck

import (
	"os/exec"
	"syscall"
)

// ownGroup makes cmd the leader of a process group of its own, which the cancelling of its
// context kills whole: the runtime and whatever it started, which a terminal's SIGINT no longer
// reaches.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd) }
}

// killGroup kills the process group that cmd leads, once cmd has started; after cmd is waited
// for, it kills what is left of the group.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
