package harness

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/looptest/looptest/internal/delay"
	"github.com/looptest/looptest/internal/lttest"
)

func writeNode(t *testing.T, src string) string {
	t.Helper()
	s, err := Parse("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := s.WriteNode(&b, NodeOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestWriteNodeSteps(t *testing.T) {
	prog := writeNode(t, `
main:
  - timeout: 0
    id: t
    then:
      - log: timeout
  - clear: t
  - immediate:
    id: "the immediate"
    then:
      - nextTick:
        then:
          - microtask:
            then:
              - log: deep
  - clear: the immediate
  - interval: 1.5ms
    times: 3
    then:
      - block: 2ms
`)
	for _, want := range []string{
		"let id_t; // timeout 't'",
		"let id_1; // immediate 'the immediate'",
		"id_t = setTimeout(() => {\n  console.log(`timeout`);\n}, 0);\n",
		"clearTimeout(id_t);\n",
		"id_1 = setImmediate(() => {\n  process.nextTick(() => {\n    queueMicrotask(() => {\n      console.log(`deep`);\n    });\n  });\n});\n",
		"clearImmediate(id_1);\n",
		"{\n  let runs = 0;\n  const interval = setInterval(() => {\n    block(2);\n    if (++runs === 3) clearInterval(interval);\n  }, 1.5);\n}\n",
		"function block(ms) {",
		"startOfMillisecond();",
	} {
		if !strings.Contains(prog, want) {
			t.Errorf("the program lacks %q:\n%s", want, prog)
		}
	}
	// What the scenario does not use is left out.
	for _, unwanted := range []string{"crypto", "http", "sandbox", "fail(", "chomp"} {
		if strings.Contains(prog, unwanted) {
			t.Errorf("the program has %q, which the scenario does not need:\n%s", unwanted, prog)
		}
	}
}

func TestWriteNodeOperations(t *testing.T) {
	prog := writeNode(t, `
threadpool: 2
files:
  a.txt: "text with a `+"`"+`backtick"
main:
  - read: a.txt
    cost: 1s
    as: process
    then:
      - encrypt: ${process.len}
        as: n
        then:
          - log: "${n}"
        error: []
  - http: /x
    delay: 2s
    respond: {status: 302, body: "a \"quoted\" body"}
    as: read
    then:
      - log: "${read.status} ${read.body}"
    closed:
      - log: closed
`)
	for _, want := range []string{
		"process.env.UV_THREADPOOL_SIZE = '2';",
		"['a.txt', `text with a \\`backtick`],",
		"read(`a.txt`, 1000, ($process) => {\n",
		"  encrypt(`${Buffer.byteLength($process)}`, 1, (n) => {\n    console.log(`${n}`);\n  }, (error) => {});\n",
		"}, fail('x.yaml:6:5', 'read'));\n",
		"get({ path: `/x`, headers: { 'Looptest-Delay': '2s', 'Looptest-Status': '302', 'Looptest-Body': '\"a \\\\\"quoted\\\\\" body\"' } }, ($read) => {\n",
		"  console.log(chomp(`${$read.status} ${$read.body}`));\n}, fail('x.yaml:15:5', 'http'), () => {\n  console.log(`closed`);\n});\n",
		"const delayAddr = hostPort('LOOPTEST_DELAY_ADDR');",
	} {
		if !strings.Contains(prog, want) {
			t.Errorf("the program lacks %q:\n%s", want, prog)
		}
	}
}

func TestWriteNodeHTTPOptions(t *testing.T) {
	prog := writeNode(t, `
main:
  - http: /hang
    respond: {fault: hang}
    timeout: 1.5s
    error: []
  - http: /refused
    respond: {fault: refuse}
    error: []
`)
	for _, want := range []string{
		"get({ path: `/hang`, headers: { 'Looptest-Delay': '0s', 'Looptest-Status': '200', 'Looptest-Body': '\"OK\"', 'Looptest-Fault': 'hang' }, timeout: [1500, '1.5s'] }, () => {}, (error) => {});\n",
		"get({ path: `/refused`, headers: { 'Looptest-Delay': '0s', 'Looptest-Status': '200', 'Looptest-Body': '\"OK\"', 'Looptest-Fault': 'refuse' }, refuse: true }, () => {}, (error) => {});\n",
		"const refuseAddr = hostPort('LOOPTEST_REFUSE_ADDR');",
		"startOfMillisecond();", // the timeout is a timer
	} {
		if !strings.Contains(prog, want) {
			t.Errorf("the program lacks %q:\n%s", want, prog)
		}
	}
}

func TestWriteNodeAddrVars(t *testing.T) {
	s, err := Parse("x.yaml", []byte("main:\n  - http: /x\n    respond: {fault: refuse}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := s.WriteNode(&b, NodeOptions{AddrVar: "MY_DELAY", RefuseAddrVar: "MY_REFUSE"}); err != nil {
		t.Fatal(err)
	}
	prog := b.String()
	if !strings.Contains(prog, "hostPort('MY_DELAY')") || !strings.Contains(prog, "hostPort('MY_REFUSE')") ||
		strings.Contains(prog, DelayAddrVar) || strings.Contains(prog, RefuseAddrVar) {
		t.Errorf("the program does not read its addresses from MY_DELAY and MY_REFUSE alone:\n%s", prog)
	}
}

func TestEscapeJS(t *testing.T) {
	for _, c := range []struct {
		in    string
		quote byte
		want  string
	}{
		{"plain", '`', "plain"},
		{"a `tick` and ${x}", '`', "a \\`tick\\` and \\${x}"},
		{"$5, $$ and $ {", '`', "$5, $$ and $ {"},
		{`back\slash`, '`', `back\\slash`},
		{"two\nlines\r\n\ttab", '`', `two\nlines\r\n\ttab`},
		{"bell\a del\x7f sep\u2028", '`', `bell\x07 del\x7f sep\u2028`},
		{"it's ${x} `", '\'', "it\\'s ${x} `"},
		{"héllo wörld ✓", '`', "héllo wörld ✓"},
	} {
		if got := escapeJS(c.in, c.quote); got != c.want {
			t.Errorf("escapeJS(%q, %q) = %q, want %q", c.in, c.quote, got, c.want)
		}
	}
}

func TestJSName(t *testing.T) {
	for name, want := range map[string]string{
		"text": "text", "res": "res", "i": "i", "error": "error",
		"process": "$process", "read": "$read", "class": "$class", "runs": "$runs",
		"id_late": "$id_late", "Buffer": "$Buffer", "interval": "$interval",
	} {
		if got := jsName(name); got != want {
			t.Errorf("jsName(%q) = %q, want %q", name, got, want)
		}
	}
}

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
  - log: "backtick ` + "`" + ` dollar-brace $${x} dollars $$ and $ alone, backslash \\ done"
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
  - read: dir/notes.txt
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
        respond: {status: 201, body: "a ` + "`" + `body` + "`" + ` with ${x} and \"quotes\""}
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
        cost: 600ms
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
	var want bytes.Buffer
	runErr := s.Run(RunOptions{Out: &want})
	var se *StepError
	if !errors.As(runErr, &se) {
		t.Fatalf("looptest's run: %v, want a failed read", runErr)
	}

	dir := t.TempDir()
	prog := filepath.Join(dir, "oracle.cjs")
	var b bytes.Buffer
	if err := s.WriteNode(&b, NodeOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prog, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := delay.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cmd := exec.Command(node, prog)
	cmd.Env = append(os.Environ(), DelayAddrVar+"="+srv.Addr(), RefuseAddrVar+"="+srv.ClosedAddr())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("node: %v, want exit status 1; stderr:\n%s", err, stderr.String())
	}
	if got, want := strings.TrimSuffix(stderr.String(), "\n"), se.Error(); got != want {
		t.Errorf("node's stderr:\n%s\nwant looptest's message:\n%s", got, want)
	}
	if stdout.String() != want.String() {
		t.Errorf("node printed:\n%s\nlooptest printed:\n%s", stdout.String(), want.String())
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
		if err := s.WriteNode(&b, NodeOptions{}); err != nil {
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
