// Command looptest runs Node.js-style event loop scenarios and checks their orderings against
// golden files. Run 'looptest help' for the commands.
package main

import (
	"os"

	"github.com/looptest/looptest/internal/cli"
)

func main() {
	os.Exit(cli.Command(os.Args[1:], os.Stdout, os.Stderr))
}
