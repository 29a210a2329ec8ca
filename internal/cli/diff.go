package cli

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/looptest/looptest/golden"
	"github.com/looptest/looptest/harness"
)

func runDiff(c *cli, args []string) int {
	fs := c.flags("diff")
	width := fs.Int("width", 0, "the `width` of the output in columns (0: 160)")
	if st := c.parse(fs, args); st >= 0 {
		return st
	}
	var left, right string
	switch fs.NArg() {
	case 1:
		if !isScenario(fs.Arg(0)) {
			fmt.Fprintln(c.stderr, "looptest diff: with one operand, it must be a scenario (.yaml), compared with its golden")
			return exitInvalid
		}
		left, right = GoldenPath(scenarioPart(fs.Arg(0))), fs.Arg(0)
	case 2:
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

// ordering returns what an operand of diff stands for: a scenario's ordering from a run, or the
// content of an ordering file. A failed run gives what it printed, and status exitFailed.
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
	if !validClock(c, clock) {
		return nil, exitInvalid
	}
	s, err := c.load(file)
	if err != nil {
		return nil, exitInvalid
	}
	var out bytes.Buffer
	if err := s.Run(harness.RunOptions{Clock: clock, Out: &out}); err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", operand, err)
		return out.Bytes(), exitFailed
	}
	return out.Bytes(), exitOK
}

// isScenario reports whether a diff operand names a scenario: FILE.yaml or FILE.yaml@CLOCK.
func isScenario(operand string) bool {
	return strings.HasSuffix(scenarioPart(operand), ".yaml")
}

// scenarioPart strips an @CLOCK suffix from FILE.yaml@CLOCK.
func scenarioPart(operand string) string {
	if i := strings.LastIndex(operand, ".yaml@"); i >= 0 {
		return operand[:i+len(".yaml")]
	}
	return operand
}
