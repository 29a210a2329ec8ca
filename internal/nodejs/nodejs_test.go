package nodejs

import (
	_ "github.com/looptest/looptest/internal/lttest" // every test binary understands -update

	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRuntimeSyntax has Node.js check runtime.js, the file that every program embeds. It is
// skipped without node.
func TestRuntimeSyntax(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	if out, err := exec.Command(node, "--check", "runtime.js").CombinedOutput(); err != nil {
		t.Errorf("node --check runtime.js: %v\n%s", err, out)
	}
}

// TestProgramRuns writes a program with every setting on and main logging from the sandbox,
// and runs it: start sets up what config asks, then runs main.
func TestProgramRuns(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	p := &Program{
		File: "p.yaml", Name: "p", Description: "a test", Threadpool: 1,
		Files: [][2]string{{"dir/a.txt", "from `the` sandbox\n"}},
		Needs: map[Feature]bool{Sandbox: true, Pool: true, Timers: true},
		IDs:   []ID{{Var: "id_x", Comment: "timeout 'x'"}},
		Main:  "id_x = setTimeout(() => {}, 5);\nclearTimeout(id_x);\nread(`dir/a.txt`, 1, (text) => {\n  console.log(chomp(text));\n}, fail('p.yaml:1:1', 'read'));\n",
	}
	var b bytes.Buffer
	if _, err := p.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(t.TempDir(), "p.cjs")
	if err := os.WriteFile(prog, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, prog).CombinedOutput()
	if err != nil || string(out) != "from `the` sandbox\n" {
		t.Errorf("node: %v; printed %q, want the file's line", err, out)
	}
}

func TestWriterCall(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	w.Call("f", Expr("1"), Func("x", nil), Func("", func(w *Writer) {
		w.Call("g", Func("", func(w *Writer) { w.Line("h();") }).Then("done();"))
	}))
	w.Block("", func(w *Writer) { w.Line("") })
	w.Flush()
	want := "f(1, (x) => {}, () => {\n  g(() => {\n    h();\n    done();\n  });\n});\n{\n\n}\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestQuote(t *testing.T) {
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
		want := string(c.quote) + c.want + string(c.quote)
		if got := Quote(c.in, c.quote); got != want {
			t.Errorf("Quote(%q, %q) = %q, want %q", c.in, c.quote, got, want)
		}
	}
}

func TestName(t *testing.T) {
	for name, want := range map[string]string{
		"text": "text", "res": "res", "i": "i", "error": "error",
		"process": "$process", "read": "$read", "class": "$class", "runs": "$runs",
		"id_late": "$id_late", "Buffer": "$Buffer", "interval": "$interval", "start": "$start",
	} {
		if got := Name(name); got != want {
			t.Errorf("Name(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestRuntimeNamesAreReserved checks that every function runtime.js declares at its top level,
// which the steps' code may call, is kept from the names a scenario binds.
func TestRuntimeNamesAreReserved(t *testing.T) {
	for line := range strings.Lines(Runtime) {
		name, ok := strings.CutPrefix(line, "function ")
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(name, "(")
		if Name(name) == name {
			// Only what the steps call must be reserved; the rest are the runtime's own.
			switch name {
			case "block", "read", "encrypt", "get", "fail", "chomp", "start":
				t.Errorf("the runtime's function %s is not reserved: a scenario's as: %s would shadow it", name, name)
			}
		}
	}
}
