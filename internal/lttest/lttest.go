// Package lttest holds what looptest's own tests share: the one definition of the -update flag.
//
// Every package with tests imports it, so that 'go test ./... -update' is understood by every
// test binary; LOOPTEST_UPDATE=1 does the same without the flag.
package lttest

import (
	"flag"
	"os"
)

var update = flag.Bool("update", false, "rewrite golden files and testscript sections instead of comparing (also LOOPTEST_UPDATE=1)")

// Update reports whether the tests should rewrite their goldens rather than compare them. Call it
// after flag parsing, from a test.
func Update() bool {
	return *update || os.Getenv("LOOPTEST_UPDATE") == "1"
}
