package harness

import (
	"gopkg.in/yaml.v3"
)

var kindThrow = &kind{
	name: "throw", value: "a message", schema: textSchema, template: true,
	node:    "throw new Error(MESSAGE)",
	summary: "throws an Error: it rejects the promise of the async body, handler or new executor it runs in; anywhere else it is an uncaught exception",
	decode:  func(p *problems, s *step, v *yaml.Node) { decodeText(p, s, v) },
	compile: func(c *compiler, s *step) action {
		t, src := s.text, s.source()
		return func(r *runner, e *env) {
			r.thrownAt = src
			panic(&jsThrow{newError(t.render(e))})
		}
	},
	js: func(g *jsGen, s *step) { g.w.Line("throw new Error(%s);", g.template(s.text)) },
}
