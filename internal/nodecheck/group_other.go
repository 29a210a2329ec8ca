//go:build !unix

package nodecheck

import "os/exec"

// ownGroup leaves cmd as it is: without process groups, the cancelling of its context kills
// the runtime alone.
func ownGroup(*exec.Cmd) {}

// killGroup kills cmd's process, once it has started.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}
