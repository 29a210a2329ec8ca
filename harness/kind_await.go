package harness

import (
	"gopkg.in/yaml.v3"
)

var kindAwait = &kind{
	name: "await", value: "a source", schema: sourceSchema,
	keys: []*key{keyAwaitAs, keyCatch}, node: "await SOURCE, in an async body",
	summary: "suspends the async body until the source settles (a plain value: one tick); as binds the value for the steps after it; catch runs on a rejection, as try/catch, else the body rejects",
	result:  typeValue, asAfter: true,
	decode: func(p *problems, s *step, v *yaml.Node) {
		s.arg = &awaitArg{src: decodeSource(p, v, "await")}
	},
	decodeKey: func(p *problems, s *step, k, v *yaml.Node) {
		if k.Value == keyAs.name {
			decodeCommonKey(p, s, k, v)
			return
		}
		a := s.arg.(*awaitArg) // catch
		a.catch, a.hasCatch = decodeSteps(p, v, "catch"), true
	},
	check: func(c *checker, s *step) {
		a := s.arg.(*awaitArg)
		if !c.fn.inAsync || c.fn.kind == fnMain {
			c.errorAt(s.pos, "await outside an async body: put it in the body of an async step or of an {async: NAME, body: [...]} source")
		}
		if s.repeat > 0 && s.as != "" {
			c.errorAt(s.asPos, "an await that repeats cannot bind as: await once per step to name the value")
		}
		sc := c.sc // checking the source moves c.sc
		c.source(a.src, sc)
		if a.hasCatch {
			a.errB = &binding{name: "error", typ: typeString}
			c.steps(a.catch, sc.with(a.errB)) // the same function: try/catch
		}
	},
	nested: func(s *step, f func([]*step)) {
		a := s.arg.(*awaitArg)
		a.src.nested(f)
		f(a.catch)
	},
	compile:      func(c *compiler, s *step) action { return compileAwait(c, s, nil) },
	compileAfter: compileAwait,
	js:           jsAwait,
}

// awaitArg is an await step's payload.
type awaitArg struct {
	src      *psource
	catch    []*step
	hasCatch bool
	errB     *binding
}

var (
	keyAwaitAs = &key{"as", "Binds the awaited value for the steps after the await in its body (const NAME = await ...); i, error and value are reserved.", asSchema}
	keyCatch   = &key{"catch", "Steps run when the awaited promise rejects, as try { await ... } catch (error) { ... }; ${error} is the message. The body then goes on.", stepsSchema}
)

// compileAwait compiles an await; rest, if not nil, is what follows it in its body, run with
// the value bound to as.
func compileAwait(c *compiler, s *step, rest action) action {
	a := s.arg.(*awaitArg)
	src, psrc := c.source(a.src), s.source()
	catch := c.with(a.errB).list(a.catch)
	bindErr := a.errB != nil && a.errB.used
	return func(r *runner, e *env) {
		v, threw := r.await(src(r, e), psrc)
		switch {
		case threw && !a.hasCatch:
			panic(&jsThrow{v})
		case threw:
			inner := e
			if bindErr {
				inner = &env{up: e, v: value{s: errorMessage(v), x: v}}
			}
			catch(r, inner)
			v = nil // as is undefined after a catch
		}
		if rest != nil {
			rest(r, &env{up: e, v: value{x: v}})
		}
	}
}
