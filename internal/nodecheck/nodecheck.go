// Package nodecheck runs scenarios in a JavaScript runtime: Node.js, the oracle of looptest's
// ordering rules, or Bun, Deno or any other runtime named by its executable ([FindRuntime]). It
// writes a scenario's Node.js program ([harness.Scenario.WriteNode]), runs it with the scenario's
// threadpool size as UV_THREADPOOL_SIZE, against a delay server of its own, and returns what the
// program printed, the ordering that runtime gives, with when each line came if asked
// ([RunLines]). [MeasureLoad] and [Slots] keep programs that burn cores from slowing each other.
//
// The delay server runs in the calling process, so that its timers never enter the loop under
// test: from node's side it is another process, as the server of a real HTTP call would be.
package nodecheck

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/delay"
	"github.com/looptest/looptest/internal/nodejs"
	"github.com/looptest/looptest/internal/ordering"
	"github.com/looptest/looptest/internal/stale"
)

// ErrNoNode reports that the node executable cannot be found.
var ErrNoNode = errors.New("node (Node.js) not found")

// MinMajor is the oldest Node.js major version whose loop the rules follow: libuv 1.45 and later
// run timers after the close phase.
const MinMajor = 20

// DefaultTimeout is a bound for a run that should be over in seconds, as in the tests.
const DefaultTimeout = time.Minute

// Options configure a run through Node.js.
type Options struct {
	// Runtime runs the program: Node.js, Bun, Deno, any other (FindRuntime finds one). With no
	// Path, it is the node found in PATH (Find).
	Runtime Runtime
	// Timeout bounds the whole run; zero means no bound, as for every limit.
	Timeout time.Duration
}

// A RunError reports a node run that did not end well: status 1 with the failure of a step that
// had no error steps (Stderr holds FILE:LINE:COL: KIND failed: MESSAGE, as looptest prints it),
// or any other status, or a run that did not finish in time or was stopped by its context
// (Status -1), its whole process group killed.
type RunError struct {
	Runtime string // the runtime's name: node, bun, deno, ...
	Status  int
	Stderr  string // what node printed on stderr, without its final newline
	Err     error  // why the run stopped, when node did not exit by itself
}

func (e *RunError) Error() string {
	name := cmp.Or(e.Runtime, "node")
	msg := fmt.Sprintf("%s exited with status %d", name, e.Status)
	if e.Err != nil {
		msg = name + ": " + e.Err.Error()
	}
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

func (e *RunError) Unwrap() error { return e.Err }

// Run runs the scenario's Node.js program and returns its ordering: what it printed on stdout.
// When the run fails, the error is a *RunError and the ordering is what was printed before the
// failure. Without node, the error wraps ErrNoNode; with a node older than MinMajor, the error
// says so.
func Run(ctx context.Context, s *harness.Scenario, opts Options) ([]byte, error) {
	out, _, err := run(ctx, s, opts, false)
	return out, err
}

// RunLines runs the scenario's Node.js program as Run does, and returns its ordering with when
// each line was printed, since main started.
func RunLines(ctx context.Context, s *harness.Scenario, opts Options) (ordering.Lines, error) {
	out, times, err := run(ctx, s, opts, true)
	return ordering.Timed(ordering.Split(out), times), err
}

func run(ctx context.Context, s *harness.Scenario, opts Options, timed bool) (out []byte, times []time.Duration, err error) {
	rt := opts.Runtime
	if rt.Path == "" {
		node, err := Find(ctx, "")
		if err != nil {
			return nil, nil, err
		}
		rt = Runtime{Name: "node", Path: node}
	}
	// The folder is named as a sandbox is, with this process's id, so that a later looptest
	// sweeps it if this one is killed before it removes it.
	stale.SweepOnce(os.TempDir(), runFolders)
	dir, lock, err := stale.Mkdir(os.TempDir(), "looptest-")
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", s.File, err)
	}
	defer func() {
		os.RemoveAll(dir)
		lock.Close() // held until the folder is gone, so that no sweep takes it while in use
	}()
	prog := filepath.Join(dir, "scenario.cjs")
	if err := writeProgram(prog, s); err != nil {
		return nil, nil, err
	}

	srv, err := delay.Start()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", s.File, err)
	}
	defer srv.Close()

	cancel := context.CancelFunc(func() {})
	if opts.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
	}
	defer cancel()
	cmd := exec.CommandContext(ctx, rt.Path, append(slices.Clone(rt.Args), prog)...)
	cmd.Dir = dir
	ownGroup(cmd)
	// TMPDIR is the run's folder, so that the program's own sandbox goes with it.
	cmd.Env = append(os.Environ(),
		"TMPDIR="+dir,
		nodejs.DelayAddrVar+"="+srv.Addr(),
		nodejs.RefuseAddrVar+"="+srv.ClosedAddr(),
		"UV_THREADPOOL_SIZE="+strconv.Itoa(s.Threadpool))
	timesFile := filepath.Join(dir, "times")
	if timed {
		cmd.Env = append(cmd.Env, nodejs.TimesVar+"="+timesFile)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	killGroup(cmd) // what the runtime started and left running
	if timed {
		times = nodejs.ReadTimes(timesFile)
	}
	if err == nil {
		return stdout.Bytes(), times, nil
	}
	re := &RunError{Runtime: rt.Name, Status: -1, Stderr: strings.TrimSuffix(stderr.String(), "\n")}
	var exit *exec.ExitError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && opts.Timeout > 0:
		re.Err = fmt.Errorf("no result after %v: %w", opts.Timeout, ctx.Err())
	case ctx.Err() != nil:
		re.Err = fmt.Errorf("stopped: %w", ctx.Err())
	case errors.As(err, &exit):
		re.Status = exit.ExitCode()
		if re.Status < 0 {
			re.Err = err // killed by a signal
		}
	default:
		re.Err = err
	}
	if x := s.Expect; x != nil && re.Status == 1 && strings.Contains(re.Stderr, x.Error) {
		return stdout.Bytes(), times, nil // the end the scenario expects: Node's report of the error
	}
	return stdout.Bytes(), times, re
}

// runFolders are the folders of runs, named and locked as sandboxes are, so that the folders of
// a looptest that was killed are swept.
var runFolders = &stale.Kind{Dir: true, Head: stale.HeadIs("looptest-")}

// writeProgram writes the scenario's Node.js program to path.
func writeProgram(path string, s *harness.Scenario) error {
	var prog bytes.Buffer
	if err := s.WriteNode(&prog); err != nil {
		return err
	}
	if err := os.WriteFile(path, prog.Bytes(), 0o644); err != nil {
		return fmt.Errorf("%s: writing its Node.js program: %w", s.File, err)
	}
	return nil
}

// versions caches the version of each node executable, by path.
var versions sync.Map // string → string

// Find returns the path of the node executable (node: a path or a name in PATH; "" means
// "node"), after checking that it is Node.js MinMajor or later. Without it, the error wraps
// ErrNoNode.
func Find(ctx context.Context, node string) (string, error) {
	if node == "" {
		node = "node"
	}
	path, err := exec.LookPath(node)
	if err != nil {
		return "", fmt.Errorf("%w: %v; install Node.js %d or later to check scenarios against it", ErrNoNode, err, MinMajor)
	}
	v, err := Version(ctx, path)
	if err != nil {
		return "", err
	}
	major, _, _ := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	if n, err := strconv.Atoi(major); err != nil || n < MinMajor {
		return "", fmt.Errorf("%s is Node.js %s: looptest's rules follow Node.js %d or later", path, v, MinMajor)
	}
	return path, nil
}

// Version returns what `node --version` prints (v20.11.1, say) for the node executable at path.
func Version(ctx context.Context, path string) (string, error) {
	if v, ok := versions.Load(path); ok {
		return v.(string), nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", path, err)
	}
	v := strings.TrimSpace(string(out))
	versions.Store(path, v)
	return v, nil
}
