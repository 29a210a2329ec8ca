package harness

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// A link is one handler of a chain: .then(..), .catch(..) or .finally(..), with its steps.
type link struct {
	kind  string // then, catch or finally
	pos   Pos
	steps []*step
	b     *binding // what its steps see: ${value} in a then, ${error} in a catch; nil in a finally
	src   *Source  // names its reaction in the trace
}

var linkKinds = []string{"then", "catch", "finally"}

// decodeChain decodes a chain: a list of {then: [STEPS]}, {catch: [STEPS]}, {finally: [STEPS]}.
func decodeChain(p *problems, n *yaml.Node) []*link {
	if n.Kind != yaml.SequenceNode {
		p.at(n, "chain must be a list of handlers, each {then: [STEPS]}, {catch: [STEPS]} or {finally: [STEPS]}; got %s", describe(n))
		return nil
	}
	var links []*link
	for _, h := range n.Content {
		kv := [][2]*yaml.Node(nil)
		if h.Kind == yaml.MappingNode {
			kv = pairs(p, h)
		}
		if len(kv) > 1 {
			names := make([]string, len(kv))
			for i, e := range kv {
				names[i] = e[0].Value
			}
			p.at(h, "this item of the chain has %d handlers (%s): give each its own item, - {then: [...]} then - {catch: [...]}", len(kv), strings.Join(names, ", "))
			continue
		}
		if len(kv) != 1 {
			p.at(h, "a handler of a chain is {then: [STEPS]}, {catch: [STEPS]} or {finally: [STEPS]}; got %s", describe(h))
			continue
		}
		if l := decodeLink(p, kv[0][0], kv[0][1]); l != nil {
			links = append(links, l)
		}
	}
	return links
}

// decodeLink decodes one handler, k: v.
func decodeLink(p *problems, k, v *yaml.Node) *link {
	switch k.Value {
	case "then", "catch", "finally":
	default:
		p.at(k, "unknown handler %q%s: a chain has then, catch and finally", k.Value, suggest(k.Value, linkKinds))
		return nil
	}
	l := &link{kind: k.Value, pos: p.pos(k), steps: decodeSteps(p, v, k.Value)}
	l.src = &Source{Kind: l.kind, Pos: l.pos}
	return l
}

// chain checks the handlers of a chain, each a function of its own.
func (c *checker) chain(links []*link, sc *scope) {
	for _, l := range links {
		inner := sc
		switch l.kind {
		case "then":
			l.b = &binding{name: "value", typ: typeValue}
			inner = sc.with(l.b)
		case "catch":
			l.b = &binding{name: "error", typ: typeString}
			inner = sc.with(l.b)
		}
		c.body(fnHandler, l.steps, inner)
	}
}

// chain returns what attaches the handlers to a promise, in turn, and returns the last promise.
func (c *compiler) chain(links []*link) func(r *runner, e *env, p *promise) *promise {
	type compiled struct {
		kind string
		h    func(r *runner, e *env) handler
		src  *Source
	}
	cs := make([]compiled, len(links))
	for i, l := range links {
		cs[i] = compiled{l.kind, c.handler(l), l.src}
	}
	return func(r *runner, e *env, p *promise) *promise {
		for _, l := range cs {
			switch l.kind {
			case "then":
				p = r.then(p, l.h(r, e), nil, l.src)
			case "catch":
				p = r.then(p, nil, l.h(r, e), l.src)
			default:
				p = r.finally(p, l.h(r, e), l.src)
			}
		}
		return p
	}
}

// handler compiles a handler's steps into the function a promise calls: a plain one, or an
// async one when its steps await.
func (c *compiler) handler(l *link) func(r *runner, e *env) handler {
	body := c.with(l.b).list(l.steps)
	bind := l.b != nil && l.b.used
	catch := l.kind == "catch"
	async := awaits(l.steps)
	return func(r *runner, e *env) handler {
		return func(arg any) any {
			inner := e
			if bind {
				v := value{x: arg}
				if catch {
					v = value{s: errorMessage(arg), x: arg}
				}
				inner = &env{up: e, v: v}
			}
			if async {
				return r.startAsync(l.src, func() any { body(r, inner); return nil })
			}
			body(r, inner)
			return nil
		}
	}
}

// awaits reports whether a body awaits: whether its function is async.
func awaits(steps []*step) bool { return has(steps, "await") }

// throws reports whether a body has a throw step of its own, which its function must catch.
func throws(steps []*step) bool { return has(steps, "throw") }

// has reports whether a body has a step of the kind named, in itself or in an await's catch,
// which is the same function (try/catch); not in callbacks, which are functions of their own.
func has(steps []*step, kind string) bool {
	for _, s := range steps {
		if s.kind.name == kind {
			return true
		}
		if a, ok := s.arg.(*awaitArg); ok && has(a.catch, kind) {
			return true
		}
	}
	return false
}
