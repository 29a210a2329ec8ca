package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/looptest/looptest/golden"
	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/nodecheck"
)

func runDiff(c *cli, args []string) int {
	fs := c.flags("diff")
	width := fs.Int("width", 0, "the `width` of the output in columns (0: 160)")
	node := fs.Bool("node", false, "compare one scenario's ordering under the virtual clock (left) with the one Node.js gives (right): diff --node x.yaml is diff x.yaml@virtual x.yaml@node")
	if st := c.parse(fs, args); st >= 0 {
		return st
	}
	var left, right string
	switch {
	case *node:
		if fs.NArg() != 1 || !isScenario(fs.Arg(0)) || scenarioPart(fs.Arg(0)) != fs.Arg(0) {
			fmt.Fprintln(c.stderr, "usage: looptest diff --node FILE.yaml")
			return exitInvalid
		}
		left, right = fs.Arg(0)+"@virtual", fs.Arg(0)+"@node"
	case fs.NArg() == 1:
		if !isScenario(fs.Arg(0)) {
			fmt.Fprintln(c.stderr, "looptest diff: with one operand, it must be a scenario (.yaml), compared with its golden")
			return exitInvalid
		}
		left, right = GoldenPath(scenarioPart(fs.Arg(0))), fs.Arg(0)
	case fs.NArg() == 2:
		left, right = fs.Arg(0), fs.Arg(1)
	default:
		fmt.Fprintln(c.stderr, "usage: looptest diff [flags] LEFT [RIGHT]")
		return exitInvalid
	}
	status := exitOK
	l, st := c.ordering(left)
	status = max(status, st)
	r, st := c.ordering(right)
	status = max(status, st)
	if status == exitInvalid {
		return status
	}
	same, err := golden.SideBySide(c.stdout, left, l, right, r, *width)
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitFailed
	}
	if !same {
		status = exitFailed
	}
	return status
}

// ordering returns what an operand of diff stands for: a scenario's ordering from a run, under a
// clock or through Node.js, or the content of an ordering file. A failed run gives what it
// printed, and status exitFailed; an operand that cannot give an ordering at all (an invalid
// file, no node) gives exitInvalid.
func (c *cli) ordering(operand string) ([]byte, int) {
	if !isScenario(operand) {
		b, err := os.ReadFile(operand)
		if err != nil {
			fmt.Fprintf(c.stderr, "looptest diff: %v\n", err)
			return nil, exitInvalid
		}
		return b, exitOK
	}
	file, clock := scenarioPart(operand), ""
	if i := strings.LastIndex(operand, "@"); i > len(file)-1 {
		clock = operand[i+1:]
	}
	if clock != "node" && !validClock(c, clock) {
		return nil, exitInvalid
	}
	s, err := c.load(file)
	if err != nil {
		return nil, exitInvalid
	}
	if clock == "node" {
		return c.nodeOrdering(operand, s)
	}
	var out bytes.Buffer
	if err := s.Run(harness.RunOptions{Clock: clock, Out: &out, Limits: c.limits}); err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", operand, err)
		return out.Bytes(), exitFailed
	}
	return out.Bytes(), exitOK
}

// nodeOrdering runs a scenario through Node.js.
func (c *cli) nodeOrdering(operand string, s *harness.Scenario) ([]byte, int) {
	if s.Tight {
		fmt.Fprintf(c.stderr, "%s: note: the file is marked `# timing: tight`: on Node.js's real clock its ordering may vary\n", operand)
	}
	if load, err := nodecheck.MeasureLoad(s); err == nil && load.Threads > runtime.NumCPU() {
		fmt.Fprintf(c.stderr, "%s: note: it keeps %d threads busy at once, more than this machine's %d cores: Node.js's pool tasks may take longer than their cost\n",
			operand, load.Threads, runtime.NumCPU())
	}
	// --max-wall bounds the node run as it bounds looptest's own.
	out, err := nodecheck.Run(context.Background(), s, nodecheck.Options{Timeout: c.limits.MaxWall})
	var re *nodecheck.RunError
	switch {
	case err == nil:
		return out, exitOK
	case errors.As(err, &re):
		fmt.Fprintf(c.stderr, "%s: %v\n", operand, err)
		return out, exitFailed
	}
	fmt.Fprintf(c.stderr, "looptest diff: %s: %v\n", operand, err)
	return nil, exitInvalid
}

// isScenario reports whether a diff operand names a scenario: FILE.yaml or FILE.yaml@CLOCK.
func isScenario(operand string) bool {
	return strings.HasSuffix(scenarioPart(operand), ".yaml")
}

// scenarioPart strips an @CLOCK (or @node) suffix from FILE.yaml@CLOCK.
func scenarioPart(operand string) string {
	if i := strings.LastIndex(operand, ".yaml@"); i >= 0 {
		return operand[:i+len(".yaml")]
	}
	return operand
}
