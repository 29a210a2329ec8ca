package harness

import (
	"strings"

	"gopkg.in/yaml.v3"
)

var kindLog = &kind{
	name: "log", value: "text", schema: textSchema, template: true, node: "console.log",
	summary: "prints the text; each of its lines is a line of the ordering",
	decode:  func(p *problems, s *step, v *yaml.Node) { decodeText(p, s, v) },
	compile: compileLog,
	js:      jsLog,
}

func compileLog(c *compiler, s *step) action {
	t, src := s.text, s.source()
	if text, ok := t.static(); ok {
		text = strings.TrimSuffix(text, "\n")
		return func(r *runner, e *env) { r.log(src, text) }
	}
	return func(r *runner, e *env) { r.log(src, strings.TrimSuffix(t.render(e), "\n")) }
}

// jsLog writes console.log of the text, one trailing newline dropped, as looptest drops it: at
// run time (chomp) when the text ends with a ${...} of text.
func jsLog(g *jsGen, s *step) {
	t := s.text
	n := len(t.parts)
	switch {
	case endsWithText(t):
		g.w.Line("console.log(chomp(%s));", g.template(t))
	case n == 0 || t.parts[n-1].ref != nil:
		g.w.Line("console.log(%s);", g.template(t))
	default:
		trimmed := *t
		trimmed.parts = append([]part(nil), t.parts...)
		trimmed.parts[n-1].lit = strings.TrimSuffix(trimmed.parts[n-1].lit, "\n")
		g.w.Line("console.log(%s);", g.template(&trimmed))
	}
}

// endsWithText reports whether a template ends with a reference to text (a string, a body),
// which may end with a newline.
func endsWithText(t *template) bool {
	n := len(t.parts)
	if n == 0 || t.parts[n-1].ref == nil {
		return false
	}
	return t.parts[n-1].ref.typ() == typeString
}
