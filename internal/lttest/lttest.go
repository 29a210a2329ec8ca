// Package lttest holds what looptest's own tests share: the -update flag, the LOOPTEST_REAL
// switch of the tests that depend on real time, and CheckLeaks, which fails a test that leaves
// goroutines, OS threads or descriptors behind.
//
// Every package with tests imports it, if only for its flag, so that 'go test ./... -update' is
// understood by every test binary (TestEveryTestBinaryDefinesUpdate checks it); LOOPTEST_UPDATE=1
// does the same without the flag.
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

// RealTimeVar names the environment variable that, set to 1, turns on the tests whose outcome
// depends on real time: real-clock and Node.js runs compared with goldens, whose margins are
// tens of milliseconds. 'go test ./...' leaves them out, so that a busy machine can never fail
// it; CI runs them as a step of their own.
const RealTimeVar = "LOOPTEST_REAL"

// RealTime reports whether the tests that depend on real time are to run.
func RealTime() bool { return os.Getenv(RealTimeVar) == "1" }

// NeedRealTime skips t unless RealTime.
func NeedRealTime(t interface{ Skipf(string, ...any) }) {
	if !RealTime() {
		t.Skipf("depends on real time: runs with %s=1", RealTimeVar)
	}
}
