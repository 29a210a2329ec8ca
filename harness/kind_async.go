package harness

import (
	"gopkg.in/yaml.v3"
)

var kindAsync = &kind{
	name: "async", value: "a name", schema: nameSchema,
	keys: []*key{keyBody, keyAsyncThen, keyAsyncCatch, keyAsyncFinally, keyID}, idPromise: true, node: "async function NAME() {BODY}, called at once",
	summary: "declares an async function and calls it: its body runs at once, up to its first await; then, catch and finally chain on the promise it returns, in that order",
	decode: func(p *problems, s *step, v *yaml.Node) {
		a := &asyncArg{}
		s.arg = a
		if v.Kind != yaml.ScalarNode || !isIdent(v.Value) {
			p.at(v, "async must be a name (letters, digits, _); got %s", describe(v))
		}
		a.name = v.Value
	},
	decodeKey: func(p *problems, s *step, k, v *yaml.Node) {
		a := s.arg.(*asyncArg)
		if k.Value == "body" {
			a.body = decodeSteps(p, v, "body")
			return
		}
		a.links = append(a.links, decodeLink(p, k, v))
	},
	check: func(c *checker, s *step) {
		a := s.arg.(*asyncArg)
		a.src = s.source()
		sc := c.sc // checking the body moves c.sc
		c.body(fnAsync, a.body, sc)
		// then, catch and finally chain in that order, whatever the order they are written in.
		var links []*link
		for _, kind := range linkKinds {
			for _, l := range a.links {
				if l != nil && l.kind == kind {
					links = append(links, l)
				}
			}
		}
		a.links = links
		c.chain(a.links, sc)
	},
	compile: func(c *compiler, s *step) action {
		a := s.arg.(*asyncArg)
		call, chain, id := c.asyncCall(a.body, a.src), c.chain(a.links), s.idIndex
		return func(r *runner, e *env) {
			p := chain(r, e, call(r, e))
			if id >= 0 {
				r.handles[id] = p
			}
		}
	},
	nested: func(s *step, f func([]*step)) {
		a := s.arg.(*asyncArg)
		f(a.body)
		for _, l := range a.links {
			if l != nil {
				f(l.steps)
			}
		}
	},
	js: func(g *jsGen, s *step) {
		a := s.arg.(*asyncArg)
		g.w.Line("%s%s%s;", g.assignID(s), g.asyncExpr(a.name, a.body), g.chain(a.links))
	},
}

// asyncArg is an async step's payload.
type asyncArg struct {
	name  string
	body  []*step
	links []*link
	src   *Source
}

var (
	keyBody         = &key{"body", "The async function's steps: they run at once, up to the first await.", stepsSchema}
	keyAsyncThen    = &key{"then", "Chained on the promise the call returns: .then(value => ...); ${value} is what the body returned.", stepsSchema}
	keyAsyncCatch   = &key{"catch", "Chained on the promise the call returns, after then: .catch(error => ...); ${error} is the message.", stepsSchema}
	keyAsyncFinally = &key{"finally", "Chained on the promise the call returns, after then and catch: .finally(() => ...).", stepsSchema}
)

// asyncCall compiles a call of an async function whose body is body: it returns the promise.
func (c *compiler) asyncCall(body []*step, src *Source) func(r *runner, e *env) *promise {
	run := c.list(body)
	return func(r *runner, e *env) *promise {
		return r.startAsync(src, func() any { run(r, e); return nil })
	}
}
