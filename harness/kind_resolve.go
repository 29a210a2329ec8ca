package harness

import (
	"gopkg.in/yaml.v3"
)

var kindResolve = &kind{
	name: "resolve", value: "a value or a source", schema: sourceSchema,
	node:    "resolve(VALUE), in a new Promise",
	summary: "resolves the promise of the new it is in, there or in a callback nested in it: with a value, or to follow a source's promise (two more ticks)",
	decode: func(p *problems, s *step, v *yaml.Node) {
		s.arg = &settleArg{src: decodeSource(p, v, "resolve")}
	},
	check:  checkSettle,
	nested: func(s *step, f func([]*step)) { s.arg.(*settleArg).src.nested(f) },
	compile: func(c *compiler, s *step) action {
		a := s.arg.(*settleArg)
		src, depth := c.source(a.src), c.depth(a.frame)
		return func(r *runner, e *env) { executorOf(e, depth).resolve(src(r, e)) }
	},
	js: func(g *jsGen, s *step) {
		// The executor's parameters: the innermost new's, as JavaScript's scope has them.
		g.w.Line("resolve(%s);", g.valueExpr(s.arg.(*settleArg).src))
	},
}

var kindReject = &kind{
	name: "reject", value: "a message", schema: textSchema, template: true,
	node:    "reject(new Error(MESSAGE)), in a new Promise",
	summary: "rejects the promise of the new it is in, there or in a callback nested in it, with an Error of that message",
	decode: func(p *problems, s *step, v *yaml.Node) {
		s.arg = &settleArg{}
		decodeText(p, s, v)
	},
	check: checkSettle,
	compile: func(c *compiler, s *step) action {
		a, t := s.arg.(*settleArg), s.text
		depth := c.depth(a.frame)
		return func(r *runner, e *env) { executorOf(e, depth).reject(newError(t.render(e))) }
	},
	js: func(g *jsGen, s *step) {
		g.w.Line("reject(new Error(%s));", g.template(s.text))
	},
}

// settleArg is the payload of resolve and reject: the value, and the executor they settle.
type settleArg struct {
	src   *psource // resolve's
	frame *binding // the frame of the executor's functions
}

func checkSettle(c *checker, s *step) {
	a := s.arg.(*settleArg)
	if c.fn.exec == nil {
		c.errorAt(s.pos, "%s outside new: %s settles the promise of a {new: [...]} source, from its steps or a callback in them", s.kind.name, s.kind.name)
		return
	}
	a.frame = c.fn.exec
	a.frame.used = true
	if a.src != nil {
		c.source(a.src, c.sc)
	}
}

// An executor is the resolve and reject functions that new Promise hands its executor.
type executor struct {
	resolve, reject func(any)
}

// executorOf returns the executor whose frame is depth frames up from e.
func executorOf(e *env, depth int) *executor {
	for range depth {
		e = e.up
	}
	return e.v.x.(*executor)
}
