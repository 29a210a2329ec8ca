package harness

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/looptest/looptest/golden"
	"github.com/looptest/looptest/internal/lttest"
	"github.com/looptest/looptest/internal/nodejs"
)

// runtimeMark stands for the runtime in the goldens of TestWriteNodeGolden.
const runtimeMark = "// ... internal/nodejs/runtime.js, whole ...\n"

// TestWriteNodeGolden writes the program of each testdata/node/*.yaml and compares it with the
// .cjs beside it, the runtime left out; -update rewrites them.
func TestWriteNodeGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "node", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no programs to check: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			s, err := Load(file)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := s.WriteNode(&b); err != nil {
				t.Fatal(err)
			}
			// The runtime is written whole into every program, and checked on its own: the
			// golden holds the rest.
			prog, n := b.String(), strings.Count(b.String(), nodejs.Runtime)
			if n != 1 {
				t.Fatalf("the program holds the runtime %d times, want once", n)
			}
			prog = strings.Replace(prog, nodejs.Runtime, runtimeMark, 1)
			want := strings.TrimSuffix(file, ".yaml") + ".cjs"
			if lttest.Update() {
				if err := golden.Write(want, []byte(prog)); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err := golden.Check(want, file, []byte(prog)); err != nil {
				t.Error(err)
			}
		})
	}
}

// nodeTextSteps are steps whose text the Node.js program must render exactly as looptest does:
// escapes, a multi-line log, and nested repeats whose ${i} shadow each other. Their order does
// not depend on time.
const nodeTextSteps = `  - log: "backtick ` + "`" + ` dollar-brace $${x} dollars $$ and $ alone, backslash \\ done"
  - log: |
      two
      lines
  - log: "outer ${i}"
    repeat: 2
  - immediate:
    repeat: 2
    then:
      - nextTick:
        repeat: 2
        then:
          - log: "inner ${i} shadows the outer index"
`

// nodeInOrder is a scenario whose order in Node.js does not depend on time: no timers, one pool
// worker whose tasks run one after another, each started by the one before, once the immediates
// of main have run. It exercises what the program must render exactly as looptest does:
// escapes, multi-line logs, nested repeats, names that clash with JavaScript, ids, byte counts
// and the messages of failed reads and encrypts.
const nodeInOrder = `
threadpool: 1
files:
  quote.txt: "say \"hi\"\tnow\n"
  up.txt: "../escape"
  dir/notes.txt: "naïve"
main:
` + nodeTextSteps + `  - immediate:
    id: cleared
    then:
      - log: never printed
  - clear: cleared
  - microtask:
    then:
      - log: microtask
  - immediate:
    then:
      - read: dir/notes.txt
        as: process
        then:
          - log: "${process} is ${process.len} bytes"
          - read: quote.txt
            as: read
            then:
              - log: "${read}"
              - encrypt: ${read}
                error:
                  - log: "${error}"
                  - read: up.txt
                    as: up
                    then:
                      - read: ${up}
                        error:
                          - log: "${error}"
                          - read: dir
                            error:
                              - log: "${error}"
                              - encrypt: 92
                                as: n
                                then:
                                  - log: "fib(92) = ${n}"
                                  - read: missing.txt
                                    then:
                                      - log: never printed
`

// TestWriteNodeRuns runs the program of a scenario whose order in Node.js does not depend on
// time, and checks that it prints what looptest prints, and fails as looptest fails. It is
// skipped without node.
func TestWriteNodeRuns(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	s, err := Parse("inorder.yaml", []byte(nodeInOrder))
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	runErr := s.Run(RunOptions{Out: &want})
	if runErr == nil {
		t.Fatal("looptest's run did not fail")
	}
	stdout := runFailingProgram(t, node, s, runErr)
	if string(stdout) != want.String() {
		t.Errorf("node printed:\n%s\nlooptest printed:\n%s", stdout, want.String())
	}
}

// runFailingProgram writes the Node.js program of s, runs it with node and env, and checks that
// it fails as looptest's run failed, with runErr: status 1, and runErr's message on stderr. It
// returns what the program printed.
func runFailingProgram(t *testing.T, node string, s *Scenario, runErr error, env ...string) []byte {
	t.Helper()
	prog := filepath.Join(t.TempDir(), "program.cjs")
	var b bytes.Buffer
	if err := s.WriteNode(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prog, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(node, prog)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 {
		t.Errorf("node: %v, want exit status 1; stderr:\n%s", err, stderr.String())
	}
	if got := strings.TrimSuffix(stderr.String(), "\n"); got != runErr.Error() {
		t.Errorf("node's stderr:\n%s\nwant looptest's message:\n%s", got, runErr.Error())
	}
	return stdout.Bytes()
}

// TestNodeProgramStdoutSetup checks that the Node.js programs' first console.log waits what the
// virtual clock's first log takes (StdoutSetup, rule 17), so that the two agree on what is armed
// before and after it.
func TestNodeProgramStdoutSetup(t *testing.T) {
	want := "const STDOUT_SETUP_MS = " + strconv.FormatInt(StdoutSetup.Milliseconds(), 10) + ";"
	if !strings.Contains(nodejs.Runtime, want) {
		t.Errorf("runtime.js does not say %q", want)
	}
}
