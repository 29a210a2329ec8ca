// Package cli is the looptest command line: check, compat, diff, explore, help, node, run,
// runtimes, schema, serve, test and version, each an entry of the commands table, with the
// runaway guards' flags, the paths that the commands take and -run's choice among them, test's
// reports (text streamed in file order, JUnit, go test -json events, GitHub annotations) and
// --watch, and at a terminal a progress line and colour.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/words"
)

// Exit statuses, as the command line promises them.
const (
	exitOK      = 0 // success
	exitFailed  = 1 // a failed run or a mismatch
	exitInvalid = 2 // an invalid file or usage
)

// A command is one subcommand. The table is kept sorted; help is generated from it.
type command struct {
	name    string
	args    string // the synopsis after the name
	summary string
	run     func(c *cli, args []string) int
	guards  bool // it runs scenarios, and so takes the flags of the runaway guards ([--max-... N])
}

var commands []command

func init() {
	commands = []command{
		{"check", "PATH...", "load and check scenario files (a file, a directory, or DIR/... for a tree); print, on stderr and in the order of the files, ok FILE for each good one, every problem as FILE:LINE:COL: message, and FILE:LINE:COL: warning: message for a pattern that Node.js orders either way (status 0)", runCheck, false},
		{"compat", "[--runtimes node,bun,deno] [--runs N] [--runtime NAME=PATH] [-run REGEXP] [PATH...]", "run each scenario several times in each JavaScript runtime and print a matrix: golden, differs, unstable; exit 1 on a difference that no '# differs: RUNTIME (why)' line records", runCompat, false},
		{"diff", "[--node] [--width N] [--max-... N] LEFT [RIGHT]", "show two orderings side by side (SCENARIO.yaml, SCENARIO.yaml@virtual, SCENARIO.yaml@real, SCENARIO.yaml@node (run by Node.js), or an ordering file; one scenario alone: its golden against its run; --node SCENARIO.yaml: its virtual run against Node.js)", runDiff, true},
		{"explore", "[--jitter 10%] [--runs N] [--seed S] [--timers] [-run REGEXP] PATH...", "find the orderings a scenario gives when its timings wobble, and which steps decide each race; exit 1 when it has more than one", runExplore, false},
		{"help", "[COMMAND | format]", "show help for a command, or the scenario format", runHelp, false},
		{"node", "FILE", "print the scenario as a Node.js program (CommonJS) whose output is its ordering; its http steps call the delay server at $LOOPTEST_DELAY_ADDR", runNode, false},
		{"run", "[--clock virtual|real] [--trace] [--timeline FILE.html|FILE.svg] [--max-... N] FILE", "run a scenario and print its ordering, or with --trace every loop event; --timeline also draws the run", runRun, true},
		{"runtimes", "[install bun|deno...]", "list the JavaScript runtimes that compat and diff run scenarios with, and where each is; install installs Bun and Deno, at the versions looptest is checked against, from the npm registry with npm (into $LOOPTEST_RUNTIMES, by default ~/.cache/looptest/runtimes)", runRuntimes, false},
		{"schema", "", "print the JSON Schema (draft 2020-12) of the scenario format, for editors that check YAML files against it (docs/schema.md)", runSchema, false},
		{"serve", "", "run the delay server that http steps call, printing its address on the first line (and on the second one where nothing listens, for fault: refuse), until interrupted or until stdin (a pipe) closes", runServe, false},
		{"test", "[-update [--prune]] [--explore] [-run REGEXP] [--watch] [--clock virtual|real] [--shard K/N] [--junit FILE] [--json] [--max-... N] [PATH...]", "compare each scenario's ordering with its .golden (PATH: a file, a directory, DIR/... for a tree; default scenarios/)", runTest, true},
		{"version", "", "print looptest's version, commit and Go version (also --version)", runVersion, false},
	}
}

// cli is one invocation: where it writes.
type cli struct {
	stdout, stderr io.Writer
	limitFlags     *limitFlags              // registered by flags for a command that runs scenarios
	limits         harness.Limits           // from limitFlags, once parsed: the runs' RunOptions.Limits
	restoreGC      func()                   // puts back the collector's settings that parse changed
	timed          map[string]timedOrdering // diff's operands that ran in real time, by operand
	stop           <-chan struct{}          // closed on SIGINT or SIGTERM: runs stop
	runtimePaths   map[string]string        // --runtime NAME=PATH
	ttyErr         bool                     // stderr is a terminal: long runs keep a progress line there
	colour         bool                     // stdout is a terminal that may be coloured (colourOn)
	watchTick      <-chan time.Time         // test --watch looks again on each tick; nil: every watchEvery
}

// Main runs the looptest command line with args (without the program name) and returns the exit
// status.
func Main(args []string, stdout, stderr io.Writer) int {
	return (&cli{stdout: stdout, stderr: stderr}).main(args)
}

// Command runs the command line as the looptest process does. SIGINT and SIGTERM stop the
// scenarios that run as a guard does (the ordering so far printed, the sandbox removed, the delay
// server shut down), and the status is then 128 plus the signal's number: 130 or 143; a second
// signal kills the process, as if looptest did not catch it. A closed stdout fails the run that
// writes to it, instead of killing the process.
func Command(args []string, stdout, stderr io.Writer) int {
	signal.Ignore(syscall.SIGPIPE)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	stop, done := make(chan struct{}), make(chan struct{})
	var caught atomic.Value // the signal, once one came
	go func() {
		select {
		case sig := <-sigs:
			caught.Store(sig)
			signal.Stop(sigs) // a second signal kills at once
			close(stop)
		case <-done:
		}
	}()
	c := &cli{stdout: stdout, stderr: stderr, stop: stop}
	c.ttyErr = os.Getenv("TERM") != "dumb" && isTerminal(stderr)
	c.colour = colourOn(stdout)
	status := c.main(args)
	close(done)
	if sig, ok := caught.Load().(syscall.Signal); ok {
		return 128 + int(sig)
	}
	return status
}

func (c *cli) main(args []string) int {
	stdout, stderr := c.stdout, c.stderr
	if len(args) == 0 {
		c.usage(stderr)
		return exitInvalid
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		c.usage(stdout)
		return exitOK
	case "-version", "--version":
		return runVersion(c, args[1:])
	}
	for _, cmd := range commands {
		if cmd.name == name {
			defer func() {
				if c.restoreGC != nil {
					c.restoreGC()
				}
			}()
			return cmd.run(c, args[1:])
		}
	}
	fmt.Fprintf(stderr, "looptest: unknown command %q\nsee 'looptest help' for the commands\n", name)
	return exitInvalid
}

func (c *cli) usage(w io.Writer) {
	fmt.Fprintf(w, "looptest runs Node.js-style event loop scenarios and checks their orderings.\n\nUsage:\n")
	for _, cmd := range commands {
		fmt.Fprintf(w, "  %s\n", strings.TrimSpace("looptest "+cmd.name+" "+cmd.args))
	}
	fmt.Fprintf(w, "\n[--max-... N] are the runaway guards: --max-callbacks, --max-time, --max-wall, --max-pending, --max-memory.\n")
	fmt.Fprintf(w, "Run 'looptest help COMMAND' for a command's flags, 'looptest help format' for the scenario format.\n")
}

// flags returns a flag set for the named command. Its help is printed by parse, once, on stdout;
// a bad flag gets two lines on stderr, not the whole help.
func (c *cli) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	for _, cmd := range commands {
		if cmd.name == name && cmd.guards {
			c.limitFlags = new(limitFlags)
			c.limitFlags.register(fs)
		}
	}
	return fs
}

func (c *cli) help(w io.Writer, name string, fs *flag.FlagSet) {
	for _, cmd := range commands {
		if cmd.name == name {
			fmt.Fprintf(w, "usage: looptest %s %s\n\n%s.\n", cmd.name, cmd.args, words.Capitalize(cmd.summary))
		}
	}
	if fs != nil {
		var has bool
		fs.VisitAll(func(*flag.Flag) { has = true })
		if has {
			fmt.Fprintf(w, "\nFlags:\n")
			fs.SetOutput(w)
			fs.PrintDefaults()
		}
	}
}

// parse parses args, returning the exit status to stop with, or -1 to go on. Flags may come
// before or after the operands ("looptest test . -update"), as with go test; after "--" all are
// operands.
func (c *cli) parse(fs *flag.FlagSet, args []string) int {
	switch err := parseInterspersed(fs, args); {
	case errors.Is(err, flag.ErrHelp):
		c.help(c.stdout, fs.Name(), fs)
		return exitOK
	case err != nil:
		fmt.Fprintf(c.stderr, "looptest %s: %v\nsee 'looptest help %s'\n", fs.Name(), err, fs.Name())
		return exitInvalid
	}
	if c.limitFlags != nil {
		lim, err := c.limitFlags.limits()
		if err != nil {
			fmt.Fprintf(c.stderr, "looptest %s: %v\n", fs.Name(), err)
			return exitInvalid
		}
		c.limits = lim
		if lim.MaxMemory > 0 && c.restoreGC == nil {
			// The collector works harder as the heap nears the guard, so that garbage does
			// not trip it; below that, it runs less often than Go's default, as a run's heap
			// is mostly its pending callbacks, live until they run (see gcPercent).
			limit := debug.SetMemoryLimit(lim.MaxMemory)
			percent := debug.SetGCPercent(-1)
			debug.SetGCPercent(percent)
			if os.Getenv("GOGC") == "" { // one the user set stands
				debug.SetGCPercent(gcPercent)
			}
			c.restoreGC = func() {
				debug.SetMemoryLimit(limit)
				debug.SetGCPercent(percent)
			}
		}
	}
	return -1
}

// gcPercent is the collector's GOGC while scenarios run under a memory guard: the heap may grow
// to five times what was live after the last collection before the next, instead of twice, and
// the soft memory limit set from --max-memory makes the collector run as often as it must
// near the guard. A million pending timers are marked three times instead of five as they are
// armed; a heap past a fifth of the guard is held to it by the limit, as before.
const gcPercent = 400

// parseInterspersed parses the flags among args and leaves the operands, in order, as fs.Args.
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			operands = append(operands, rest...) // "--" ended the flags
			break
		}
		operands, args = append(operands, rest[0]), rest[1:]
	}
	return fs.Parse(append([]string{"--"}, operands...))
}

func runHelp(c *cli, args []string) int {
	switch {
	case len(args) == 0:
		c.usage(c.stdout)
		return exitOK
	case args[0] == "format":
		harness.WriteReference(c.stdout)
		return exitOK
	}
	for _, cmd := range commands {
		if cmd.name == args[0] {
			return cmd.run(c, []string{"-h"})
		}
	}
	fmt.Fprintf(c.stderr, "looptest help: unknown command %q\n", args[0])
	return exitInvalid
}

func runCheck(c *cli, args []string) int {
	fs := c.flags("check")
	if st := c.parse(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(c.stderr, "looptest check: no files")
		return exitInvalid
	}
	files, err := scenarioPaths(fs.Args())
	if err != nil {
		fmt.Fprintf(c.stderr, "looptest check: %v\n", err)
		return exitInvalid
	}
	// All that check says of the files is on stderr, in the order of the files: the problems of
	// a bad one (as every command prints them, FILE:LINE:COL: message, where editors look), the
	// warnings and ok of a good one.
	return c.eachScenario(files, func(s *harness.Scenario) int {
		// A warning is no error: the file runs; what Node.js does with it is a race.
		for _, w := range s.Warnings {
			fmt.Fprintln(c.stderr, w)
		}
		fmt.Fprintf(c.stderr, "ok   %s\n", s.File)
		return exitOK
	})
}

// eachScenario loads each file and calls f with it, and returns the worst status: f's, or
// exitInvalid for a file that does not load (whose problems load prints).
func (c *cli) eachScenario(files []string, f func(s *harness.Scenario) int) int {
	status := exitOK
	for _, file := range files {
		if c.stopped() {
			break
		}
		s, err := c.load(file)
		if err != nil {
			status = exitInvalid
			continue
		}
		status = max(status, f(s))
	}
	return status
}

// stopped reports whether a signal came: the command is to stop.
func (c *cli) stopped() bool {
	select {
	case <-c.stop:
		return true
	default:
		return false
	}
}

// load loads a scenario, printing its problems to stderr.
func (c *cli) load(file string) (*harness.Scenario, error) {
	s, err := harness.Load(file)
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		fmt.Fprintf(c.stderr, "%s: cannot read: %v\n", file, pe.Err)
	case err != nil:
		fmt.Fprintln(c.stderr, err)
	}
	return s, err
}

// clockFlag registers --clock on fs.
func clockFlag(fs *flag.FlagSet) *string {
	return fs.String("clock", "", "run under this `clock` (virtual or real) instead of the scenario's own")
}

func validClock(c *cli, clock string) bool {
	switch clock {
	case "", "virtual", "real":
		return true
	}
	fmt.Fprintf(c.stderr, "looptest: --clock must be virtual or real, not %q\n", clock)
	return false
}
