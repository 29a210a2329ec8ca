package harness

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/looptest/looptest/internal/delay"
	"github.com/looptest/looptest/internal/lttest"
	"github.com/looptest/looptest/internal/nodejs"
	"github.com/looptest/looptest/internal/ordering"
	"github.com/looptest/looptest/internal/verdict"
)

// nodeOracleScenario exercises what the program must render exactly as looptest does: escaping,
// multi-line logs, names that clash with JavaScript, nested repeats, ids, intervals, byte counts,
// responses, and the messages of failed reads and encrypts. Its order does not depend on how
// long anything takes: one pool worker runs the tasks in the order they are submitted, and the
// timers and the request start from the last task's callback, far from each other.
const nodeOracleScenario = `
threadpool: 1
files:
  quote.txt: "say \"hi\"\tnow\n"
  up.txt: "../escape"
  dots.txt: "./notes.txt"
  empty.txt: ""
  dir/notes.txt: "naïve"
main:
` + nodeTextSteps + `  - read: dir/notes.txt
    cost: 50ms
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
  - read: dots.txt
    as: dots
    then:
      - read: ${dots}
        error:
          - log: "${error}"
  - read: empty.txt
    as: empty
    then:
      - read: ${empty}
        error:
          - log: "${error}"
      - encrypt: ${empty}
        error:
          - log: "${error}"
  - read: dir
    error:
      - log: "${error}"
      - timeout: 400
        id: "not a name"
        then:
          - log: "never printed"
      - interval: 100
        id: ticker
        then:
          - log: "ticker"
          - clear: not a name
      - timeout: 350
        then:
          - clear: ticker
      - http: /x
        delay: 450ms
        respond: {status: 201, body: "a ` + "`" + `body` + "`" + ` with $${x} and \"quotes\""}
        as: res
        then:
          - log: "${res.status}: ${res.body}"
        closed:
          - log: closed
      - http: /reset
        delay: 500ms
        respond: {fault: reset}
        error:
          - log: "${error}"
      - timeout: 550
        then:
          - http: /refused
            respond: {fault: refuse}
            error:
              - log: "${error}"
      - read: missing.txt
        cost: 900ms
        then:
          - log: never printed
`

// TestWriteNodeAgainstNode runs a program written by WriteNode with Node.js and checks that it
// prints what looptest prints, and fails as looptest fails. It is skipped without node.
func TestWriteNodeAgainstNode(t *testing.T) {
	lttest.NeedRealTime(t)
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	s, err := Parse("oracle.yaml", []byte(nodeOracleScenario))
	if err != nil {
		t.Fatal(err)
	}
	var lines ordering.Lines
	runErr := s.Run(RunOptions{Lines: &lines})
	var se *StepError
	if !errors.As(runErr, &se) {
		t.Fatalf("looptest's run: %v, want a failed read", runErr)
	}
	srv, err := delay.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	times := filepath.Join(t.TempDir(), "times")
	stdout := runFailingProgram(t, node, s, se,
		nodejs.DelayAddrVar+"="+srv.Addr(), nodejs.RefuseAddrVar+"="+srv.ClosedAddr(), nodejs.TimesVar+"="+times)
	// Its timers and requests are tens of milliseconds apart: judge the order by when each
	// line came (internal/verdict), so that a late event on a loaded machine is inconclusive.
	at := nodejs.ReadTimes(times)
	switch j := verdict.Judge(lines, ordering.Timed(ordering.Split(stdout), at)); j.Verdict {
	case verdict.Fail:
		t.Errorf("node's ordering differs from looptest's:\n%s", j)
	case verdict.Inconclusive:
		t.Skipf("node's ordering differs where load explains it:\n%s", j)
	}
}

// TestWriteNodeSyntax writes the program of every shipped scenario and benchmark workload and has
// Node.js compile them all, without running them. It is skipped without node.
func TestWriteNodeSyntax(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	var files []string
	for _, dir := range []string{"../scenarios", "../bench"} {
		matches, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, matches...)
	}
	if len(files) == 0 {
		t.Fatal("no scenarios found")
	}
	dir := t.TempDir()
	var progs []string
	for i, file := range files {
		s, err := Load(file)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := s.WriteNode(&b); err != nil {
			t.Fatal(err)
		}
		prog := filepath.Join(dir, fmt.Sprintf("%d.cjs", i))
		if err := os.WriteFile(prog, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		progs = append(progs, prog)
	}
	const compile = `
const fs = require('node:fs');
const vm = require('node:vm');
for (const file of process.argv.slice(1)) {
  try {
    new vm.Script(fs.readFileSync(file, 'utf8'), { filename: file });
  } catch (err) {
    console.log(file + ': ' + err.message);
  }
}`
	out, err := exec.Command(node, append([]string{"-e", compile}, progs...)...).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("node could not compile every program: %v\n%s\n(programs of %v)", err, out, files)
	}
}
