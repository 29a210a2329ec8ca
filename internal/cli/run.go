package cli

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/looptest/looptest/golden"
	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/timeline"
	"github.com/looptest/looptest/loop"
)

func runRun(c *cli, args []string) int {
	fs := c.flags("run")
	clock := clockFlag(fs)
	trace := fs.Bool("trace", false, "print every loop event, with its time, tick, phase and thread, and the log lines among them")
	picture := fs.String("timeline", "", "also draw the run into `FILE`: FILE.html for a page, FILE.svg for an image")
	if st := c.parse(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(c.stderr, "usage: looptest run [--clock virtual|real] [--trace] [--timeline FILE.html|FILE.svg] FILE")
		return exitInvalid
	}
	if !validClock(c, *clock) {
		return exitInvalid
	}
	ext := strings.ToLower(filepath.Ext(*picture))
	if *picture != "" && ext != ".html" && ext != ".svg" {
		fmt.Fprintf(c.stderr, "looptest run: --timeline %s: the file must end in .html or .svg\n", *picture)
		return exitInvalid
	}
	s, err := c.load(fs.Arg(0))
	if err != nil {
		return exitInvalid
	}
	opts := harness.RunOptions{Clock: *clock, Out: c.stdout, Limits: c.limits, Stop: c.stop}
	if *clock == "real" || *clock == "" && s.Clock == "real" {
		// A real-clock run may take long: at a terminal, a line says for how long so far.
		begin := time.Now()
		prog := c.startProgress(func() string { return fmt.Sprintf("run: %s on the real clock, %s", quoteName(s.File), since(begin)) })
		defer prog.stop()
		opts.Out = progressWriter{prog, c.stdout}
	}
	var rec loop.Recorder
	if *trace || *picture != "" {
		opts.Recorder = &rec
	}
	if *trace {
		opts.Out = nil // the log lines are in the trace
	}
	err = s.Run(opts)
	if *trace {
		if werr := loop.WriteTrace(c.stdout, rec.Events()); werr != nil && err == nil {
			err = werr
		}
	}
	if *picture != "" {
		if werr := drawTimeline(*picture, ext, s, rec.Events()); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fmt.Fprintln(c.stderr, err)
		return exitFailed
	}
	return exitOK
}

// drawTimeline writes the picture of a run, atomically.
func drawTimeline(path, ext string, s *harness.Scenario, events []loop.Event) error {
	var b bytes.Buffer
	title := s.Name + " (" + s.File + ")"
	var err error
	if ext == ".svg" {
		err = timeline.WriteSVG(&b, events, title)
	} else {
		err = timeline.WriteHTML(&b, events, title)
	}
	if err != nil {
		return err
	}
	return golden.Write(path, b.Bytes())
}
