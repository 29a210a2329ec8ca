package harness

import (
	"bytes"
	"strings"
	"testing"

	"github.com/looptest/looptest/internal/nodejs"
	"gopkg.in/yaml.v3"
)

// typeEcho is the result of the toy kind below: text with one field of its own.
var typeEcho = &valueType{name: "an echo", text: func(v value) string { return v.s }, fields: []*field{
	{name: "twice", typ: typeString, get: func(v value) string { return v.s + v.s },
		js: func(expr string) string { return expr + ".repeat(2)" }},
}}

// keyTimesLouder is the toy kind's own key.
var keyTimesLouder = &key{"louder", "How many ! the echo ends with; default 0.", func() *schema { return intRange(0, 9) }}

// echoArg is the toy kind's payload.
type echoArg struct{ louder int }

// newKindEcho returns a toy kind, echo, which is nowhere but in what it says of itself: it
// binds its text, with a ! per louder, in a nextTick.
func newKindEcho(checked *int) *kind {
	return &kind{
		name: "echo", value: "text", schema: textSchema, template: true,
		keys: []*key{keyTimesLouder, keyAs, keyThen}, node: "process.nextTick with a value",
		summary: "binds its text as an echo, as soon as the current callback returns",
		result:  typeEcho,
		needs:   always(nodejs.Timers),
		decode: func(p *problems, s *step, v *yaml.Node) {
			s.arg = &echoArg{}
			decodeText(p, s, v)
		},
		decodeKey: func(p *problems, s *step, k, v *yaml.Node) {
			s.arg.(*echoArg).louder, _ = intValue(p, v, "louder", 0, 9)
		},
		check: func(c *checker, s *step) { *checked++ },
		compile: func(c *compiler, s *step) action {
			out, t, bang := c.outcome(s), s.text, strings.Repeat("!", s.arg.(*echoArg).louder)
			return func(r *runner, e *env) {
				text := t.render(e) + bang
				r.loop.NextTick(s.source(), func() { out(r, e, value{s: text}, nil) })
			}
		},
		js: func(g *jsGen, s *step) {
			bang := strings.Repeat("!", s.arg.(*echoArg).louder)
			g.w.Call("echo", nodejs.Expr(g.template(s.text)+" + '"+bang+"'"), g.then(s))
		},
	}
}

// TestKindTableAlone registers a kind through the table alone and finds it everywhere a kind is
// told of: the loader (decode, check), a run, the JSON schema, help format, the table of
// docs/format.md and the Node.js program.
func TestKindTableAlone(t *testing.T) {
	checked := 0
	withKinds(t, newKindEcho(&checked))
	const src = `main:
  - echo: hello
    louder: 2
    as: e
    then:
      - log: "${e} ${e.twice}"
`
	s, err := Parse("echo.yaml", []byte(src))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if checked != 1 {
		t.Errorf("check ran %d times, want 1", checked)
	}
	var out bytes.Buffer
	if err := s.Run(RunOptions{Out: &out}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "hello!! hello!!hello!!\n"; got != want {
		t.Errorf("run: got %q, want %q", got, want)
	}

	for src, want := range map[string]string{
		"main:\n  - echo: hi\n    loud: 1\n":                                    `unknown key "loud" in a echo step (did you mean louder?): echo takes louder, as, then, repeat`,
		"main:\n  - echo: hi\n    as: e\n    then:\n      - log: ${e.thrice}\n": `${e.thrice}: e is an echo and has no field "thrice" (a string has .len, a value has .len, .status and .body, an echo has .twice`,
		"main:\n  - louder: 1\n":                                                "the step has no kind (keys: louder)",
	} {
		if _, err := Parse("bad.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error with %q", src, err, want)
		}
	}

	sch := compileSchema(t)
	for src, ok := range map[string]bool{src: true, "main:\n  - echo: hi\n    louder: 10\n": false, "main:\n  - echo: hi\n    times: 1\n": false} {
		v, err := yamlValue([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); (err == nil) != ok {
			t.Errorf("the schema on %q: %v, want ok %v", src, err, ok)
		}
	}
	var schemaText bytes.Buffer
	if err := WriteSchema(&schemaText); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"title": "echo"`, `"description": "How many ! the echo ends with; default 0."`, "For echo: an echo."} {
		if !strings.Contains(schemaText.String(), want) {
			t.Errorf("the schema has no %q", want)
		}
	}

	var ref bytes.Buffer
	WriteReference(&ref)
	for _, want := range []string{
		"  echo:      text\n             Binds its text as an echo, as soon as the current callback returns. Like process.nextTick with a value.\n             Other keys: louder, as, then, repeat.\n             as binds an echo.\n",
		"in the values of echo, encrypt, http, log, read, reject and throw",
		".twice of an echo",
	} {
		if !strings.Contains(ref.String(), want) {
			t.Errorf("help format has no %q:\n%s", want, ref.String())
		}
	}

	var table bytes.Buffer
	WriteKindTable(&table)
	if want := "| `echo` | text | process.nextTick with a value | `louder`, `as`, `then` | an echo |\n"; !strings.Contains(table.String(), want) {
		t.Errorf("the table of docs/format.md has no %q:\n%s", want, table.String())
	}

	var prog bytes.Buffer
	if err := s.WriteNode(&prog); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"  timers: true,\n", "echo(`hello` + '!!', (e) => {\n", "`${e} ${e.repeat(2)}`"} {
		if !strings.Contains(prog.String(), want) {
			t.Errorf("the Node.js program has no %q:\n%s", want, prog.String())
		}
	}
}
