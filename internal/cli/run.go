package cli

import (
	"bytes"
	"fmt"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/loop"
)

func runRun(c *cli, args []string) int {
	fs := c.flags("run")
	clock := clockFlag(fs)
	trace := fs.Bool("trace", false, "print every loop event, with its time, tick, phase and thread, and the log lines among them")
	if st := c.parse(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(c.stderr, "usage: looptest run [--clock virtual|real] [--trace] FILE")
		return exitInvalid
	}
	if !validClock(c, *clock) {
		return exitInvalid
	}
	s, err := c.load(fs.Arg(0))
	if err != nil {
		return exitInvalid
	}
	opts := harness.RunOptions{Clock: *clock, Out: c.stdout}
	var rec loop.Recorder
	if *trace {
		opts.Out, opts.Recorder = &bytes.Buffer{}, &rec
	}
	err = s.Run(opts)
	if *trace {
		if werr := loop.WriteTrace(c.stdout, rec.Events()); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitFailed
	}
	return exitOK
}
