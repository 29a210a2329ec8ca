package harness

import (
	"gopkg.in/yaml.v3"
)

var kindPromise = &kind{
	name: "promise", value: "a source", schema: sourceSchema,
	keys: []*key{keyChain, keyID}, idPromise: true, node: "SOURCE.then(..).catch(..).finally(..)",
	summary: "makes the source's promise (Promise.resolve of a plain value) and attaches the chain's handlers to it in turn; id names the chain's last promise",
	decode: func(p *problems, s *step, v *yaml.Node) {
		s.arg = &promiseArg{src: decodeSource(p, v, "promise")}
	},
	decodeKey: func(p *problems, s *step, k, v *yaml.Node) { // chain
		s.arg.(*promiseArg).chain = decodeChain(p, v)
	},
	check: func(c *checker, s *step) {
		a := s.arg.(*promiseArg)
		sc := c.sc // checking the source moves c.sc
		c.source(a.src, sc)
		c.chain(a.chain, sc)
	},
	compile: func(c *compiler, s *step) action {
		a := s.arg.(*promiseArg)
		src, chain, id := c.source(a.src), c.chain(a.chain), s.idIndex
		return func(r *runner, e *env) {
			p := chain(r, e, r.promiseResolve(src(r, e), a.src.src))
			if id >= 0 {
				r.handles[id] = p
			}
		}
	},
	nested: func(s *step, f func([]*step)) {
		a := s.arg.(*promiseArg)
		a.src.nested(f)
		for _, l := range a.chain {
			f(l.steps)
		}
	},
	js: func(g *jsGen, s *step) {
		a := s.arg.(*promiseArg)
		g.w.Line("%s%s%s;", g.assignID(s), g.promiseExpr(a.src), g.chain(a.chain))
	},
}

// promiseArg is a promise step's payload.
type promiseArg struct {
	src   *psource
	chain []*link
}

var keyChain = &key{"chain", "Handlers attached in turn: each {then: [STEPS]} (${value} is the value), {catch: [STEPS]} (${error} is the message) or {finally: [STEPS]}. A handler's return gives the next promise its value, a throw rejects it.", chainSchema}
