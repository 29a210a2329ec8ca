package cli

import (
	"fmt"
)

// runNode prints a scenario as a Node.js program whose output is the scenario's ordering.
func runNode(c *cli, args []string) int {
	fs := c.flags("node")
	if st := c.parse(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(c.stderr, "usage: looptest node FILE")
		return exitInvalid
	}
	s, err := c.load(fs.Arg(0))
	if err != nil {
		return exitInvalid
	}
	if err := s.WriteNode(c.stdout); err != nil {
		fmt.Fprintf(c.stderr, "looptest node: %v\n", err)
		return exitFailed
	}
	return exitOK
}
