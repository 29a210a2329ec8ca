package harness

import (
	"gopkg.in/yaml.v3"
)

var kindReturn = &kind{
	name: "return", value: "a value or a source", schema: sourceSchema,
	node:    "return VALUE, from an async body or a handler",
	summary: "ends the async body or the chain handler it is in: its promise gets the value, or follows the source's promise (two more ticks for a promise)",
	decode: func(p *problems, s *step, v *yaml.Node) {
		s.arg = &returnArg{src: decodeSource(p, v, "return")}
	},
	check: func(c *checker, s *step) {
		if k := c.fn.kind; k != fnAsync && k != fnHandler {
			c.errorAt(s.pos, "return outside an async body or a handler of a chain: only those give a promise its value")
		}
		c.source(s.arg.(*returnArg).src, c.sc)
	},
	nested: func(s *step, f func([]*step)) { s.arg.(*returnArg).src.nested(f) },
	compile: func(c *compiler, s *step) action {
		src := c.source(s.arg.(*returnArg).src)
		return func(r *runner, e *env) { panic(&jsReturn{src(r, e)}) }
	},
	js: func(g *jsGen, s *step) {
		g.w.Line("return %s;", g.valueExpr(s.arg.(*returnArg).src))
	},
}

// returnArg is a return step's payload.
type returnArg struct{ src *psource }
