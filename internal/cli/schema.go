package cli

import (
	"fmt"

	"github.com/looptest/looptest/harness"
)

// runSchema prints the JSON Schema of the scenario format, for editors that check YAML files
// against one (docs/schema.md).
func runSchema(c *cli, args []string) int {
	fs := c.flags("schema")
	if st := c.parse(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(c.stderr, "usage: looptest schema")
		return exitInvalid
	}
	if err := harness.WriteSchema(c.stdout); err != nil {
		fmt.Fprintf(c.stderr, "looptest schema: %v\n", err)
		return exitFailed
	}
	return exitOK
}
