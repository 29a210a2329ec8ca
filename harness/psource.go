package harness

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// A psource is what promise, await, resolve and return take (SPEC §1, Promises): a value or a
// mapping that makes a promise. At run time it evaluates to a JavaScript value: a plain value,
// a *promise, or a *thenable.
type psource struct {
	form  string // value, resolve, reject, new, read, timeout, immediate, encrypt, http, async, all, allSettled, race, any, thenable, id
	pos   Pos    // where it is: its form's key, or the value
	lit   any    // a value without ${...}: a string, a number, a boolean, nil (undefined)
	text  *template
	sub   *psource   // resolve's and thenable's value
	items []*psource // a combinator's
	steps []*step    // new's executor, async's body
	name  string     // async's name, id's
	op    *step      // read, timeout, immediate, encrypt, http: the operation, as a step of its kind

	// Set by the checker.
	idStep *step    // {id}: the step whose promise it is
	frame  *binding // new: the frame of the executor's resolve and reject
	src    *Source  // names the promise, its jobs and its failure
}

// The forms of a psource that are mappings, with what each takes.
var sourceForms = []struct{ name, takes string }{
	{"all", "a list of sources"},
	{"allSettled", "a list of sources"},
	{"any", "a list of sources"},
	{"async", "a name, with body"},
	{"encrypt", "n, with cost"},
	{"http", "a path, with delay, respond, timeout"},
	{"id", "the id of a promise or async step"},
	{"immediate", "empty"},
	{"new", "a list of steps"},
	{"race", "a list of sources"},
	{"read", "a path, with cost"},
	{"reject", "a message"},
	{"resolve", "a value or a source"},
	{"thenable", "a value or a source"},
	{"timeout", "a duration"},
}

func sourceFormNames() []string {
	names := make([]string, len(sourceForms))
	for i, f := range sourceForms {
		names[i] = f.name
	}
	return names
}

// decodeSource decodes a source; what names the key it is the value of, for messages.
func decodeSource(p *problems, n *yaml.Node, what string) *psource {
	ps := &psource{pos: p.pos(n), form: "value"}
	switch n.Kind {
	case yaml.ScalarNode:
		decodeSourceValue(p, ps, n)
		return ps
	case yaml.MappingNode:
	default:
		p.at(n, "%s must be a value or a source (a mapping with one of %s); got %s", what, strings.Join(sourceFormNames(), ", "), describe(n))
		return nil
	}
	kv := pairs(p, n)
	var form, val *yaml.Node
	for _, e := range kv {
		if slices.Contains(sourceFormNames(), e[0].Value) && form == nil {
			form, val = e[0], e[1]
		}
	}
	if form == nil {
		keys := make([]string, len(kv))
		for i, e := range kv {
			keys[i] = e[0].Value
		}
		at := n
		if len(kv) > 0 {
			at = kv[0][0]
		}
		p.at(at, "%s: a source must have one of %s; got %s%s", what, strings.Join(sourceFormNames(), ", "),
			strings.Join(keys, ", "), suggest(strings.Join(keys, ""), sourceFormNames()))
		return nil
	}
	ps.form, ps.pos = form.Value, p.pos(form)
	switch ps.form {
	case "read", "timeout", "immediate", "encrypt", "http":
		ps.op = decodeStep(p, n)
		if ps.op != nil {
			refuseStepKeys(p, n, ps.op)
			if a, ok := ps.op.arg.(*readArg); ok && !slices.ContainsFunc(kv, func(e [2]*yaml.Node) bool { return e[0].Value == keyCost.name }) {
				a.cost = 0 // fs.promises.readFile holds no worker before its open, unless asked
			}
		}
		return ps
	}
	for _, e := range kv {
		switch k := e[0]; {
		case k == form:
		case ps.form == "async" && k.Value == "body":
			ps.steps = decodeSteps(p, e[1], "body")
		default:
			takes := ""
			if ps.form == "async" {
				takes = " (it takes body)"
			}
			p.at(k, "unknown key %q in a %s source%s", k.Value, ps.form, takes)
		}
	}
	switch ps.form {
	case "resolve", "thenable":
		ps.sub = decodeSource(p, val, ps.form)
	case "reject":
		ps.text = decodeMessage(p, val, "reject")
	case "new":
		ps.steps = decodeSteps(p, val, "new")
	case "async", "id":
		if val.Kind != yaml.ScalarNode || !isIdent(val.Value) {
			p.at(val, "%s must be a name (letters, digits, _); got %s", ps.form, describe(val))
		}
		ps.name = val.Value
	case "all", "allSettled", "race", "any":
		if val.Kind != yaml.SequenceNode {
			p.at(val, "%s must be a list of sources; got %s", ps.form, describe(val))
			return nil
		}
		for _, item := range val.Content {
			if it := decodeSource(p, item, ps.form); it != nil {
				ps.items = append(ps.items, it)
			}
		}
	}
	return ps
}

// refuseStepKeys reports the keys of an operation's step form that its source form does not
// take: the source's promise is where its outcome goes.
func refuseStepKeys(p *problems, n *yaml.Node, s *step) {
	for _, e := range pairs(p, n) {
		switch e[0].Value {
		case "then", "error", "closed", "as", "id", "repeat", "unref":
			p.at(e[0], "a {%s} source takes no %s: its promise settles with the outcome; chain then and catch on it", s.kind.name, e[0].Value)
		}
	}
}

// decodeSourceValue decodes a plain value: a number, a boolean, ~ (undefined) or text.
func decodeSourceValue(p *problems, ps *psource, n *yaml.Node) {
	switch n.Tag {
	case "!!null":
		ps.lit = nil
	case "!!bool":
		ps.lit = n.Value == "true"
	case "!!int", "!!float":
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			p.at(n, "%s is not a number JavaScript can hold", n.Value)
		}
		ps.lit = f
	default:
		t, err := parseTemplate(n.Value)
		switch {
		case err != nil:
			p.at(n, "%s", err)
		case len(t.parts) == 0:
			ps.lit = ""
		default:
			if lit, ok := t.static(); ok {
				ps.lit = lit
			} else {
				ps.text = t
			}
		}
	}
}

// decodeMessage decodes the message of a reject or a throw: text with ${...}.
func decodeMessage(p *problems, n *yaml.Node, what string) *template {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.at(n, "%s must be a message; got %s", what, describe(n))
		return nil
	}
	t, err := parseTemplate(n.Value)
	if err != nil {
		p.at(n, "%s", err)
		return nil
	}
	return t
}

// nested calls f on the lists of steps that ps holds: new's executor, async's body, the
// operation of an operation's form (a list of one), and those of the sources inside it.
func (ps *psource) nested(f func([]*step)) {
	if ps == nil {
		return
	}
	if ps.op != nil {
		f([]*step{ps.op})
	}
	f(ps.steps)
	ps.sub.nested(f)
	for _, it := range ps.items {
		it.nested(f)
	}
}

// source checks a source in scope sc: its names, the bodies it holds, the id it names.
func (c *checker) source(ps *psource, sc *scope) {
	if ps == nil {
		return
	}
	ps.src = &Source{Kind: ps.form, Value: ps.label(), Pos: ps.pos}
	switch ps.form {
	case "value":
		if ps.text != nil {
			c.templateRefs(ps.text, ps.pos, sc)
		}
	case "reject":
		if ps.text != nil {
			c.templateRefs(ps.text, ps.pos, sc)
		}
	case "resolve", "thenable":
		c.source(ps.sub, sc)
	case "all", "allSettled", "race", "any":
		for _, it := range ps.items {
			c.source(it, sc)
		}
	case "new":
		ps.frame = &binding{used: true} // the executor's resolve and reject
		outer := c.fn
		c.fn = &fnCtx{kind: fnExecutor, inAsync: outer.inAsync, exec: ps.frame}
		c.steps(ps.steps, sc.with(ps.frame))
		c.fn = outer
	case "async":
		c.body(fnAsync, ps.steps, sc)
	case "id":
		pos, name := ps.pos, ps.name
		c.later = append(c.later, func() {
			st := c.ids[name]
			switch {
			case st == nil:
				c.errorAt(pos, "{id: %s}: no step has the id %s", name, name)
			case !st.kind.idPromise:
				c.errorAt(pos, "{id: %s}: %s is the id of a %s step, not of a promise or async step", name, name, st.kind.name)
			default:
				ps.idStep = st
			}
		})
	default: // an operation
		if ps.op != nil {
			ps.op.sourceOp = true
			c.step(ps.op, sc)
		}
	}
}

// label is what names the source's promise in the trace: a plain value as written, an async
// function's or an id's name, an operation's value as its step names it (a timer's delay as the
// loop keeps it).
func (ps *psource) label() string {
	switch {
	case ps.form == "value" && ps.text != nil:
		return ps.text.src
	case ps.form == "value":
		return jsString(ps.lit)
	case ps.form == "async" || ps.form == "id":
		return ps.name
	case ps.op != nil:
		return ps.op.source().Value
	}
	return ""
}

// source compiles a source into what makes its value at run time.
func (c *compiler) source(ps *psource) func(r *runner, e *env) any {
	src := ps.src
	switch ps.form {
	case "value":
		return c.plainValue(ps)
	case "resolve":
		sub := c.source(ps.sub)
		return func(r *runner, e *env) any { return r.promiseResolve(sub(r, e), src) }
	case "reject":
		t := ps.text
		for _, ref := range t.refs() {
			ref.depth = c.depth(ref.b)
		}
		return func(r *runner, e *env) any { return r.rejectedPromise(newError(t.render(e)), src) }
	case "thenable":
		sub := c.source(ps.sub)
		return func(r *runner, e *env) any { return &thenable{sub(r, e)} }
	case "new":
		body := c.with(ps.frame).list(ps.steps)
		return func(r *runner, e *env) any {
			p := r.newPromise(src)
			resolve, reject := r.resolvingFunctions(p, src)
			inner := &env{up: e, v: value{x: &executor{resolve, reject}}}
			if v, threw := invoke(func() any { body(r, inner); return nil }); threw {
				reject(v)
			}
			return p
		}
	case "async":
		call := c.asyncCall(ps.steps, src)
		return func(r *runner, e *env) any { return call(r, e) }
	case "all", "allSettled", "race", "any":
		items := make([]func(*runner, *env) any, len(ps.items))
		for i, it := range ps.items {
			items[i] = c.source(it)
		}
		combine := map[string]func(*runner, []any, *Source) *promise{
			"all": (*runner).all, "allSettled": (*runner).allSettled, "race": (*runner).race, "any": (*runner).anyOf,
		}[ps.form]
		return func(r *runner, e *env) any {
			xs := make([]any, len(items))
			for i, it := range items {
				xs[i] = it(r, e)
			}
			return combine(r, xs, src)
		}
	case "id":
		st := ps.idStep
		return func(r *runner, e *env) any {
			if p, ok := r.handles[st.idIndex].(*promise); ok {
				return p
			}
			// JavaScript reads an undefined variable there, and throws a TypeError at its then.
			r.loop.Fail(&StepError{Pos: ps.pos, Kind: "id", Err: fmt.Errorf("{id: %s}: the step with that id has not made its promise yet", st.id)})
			return r.newPromise(src)
		}
	}
	return c.opSource(ps)
}

// plainValue compiles a plain value: a literal, the value of a lone ${NAME}, or text.
func (c *compiler) plainValue(ps *psource) func(r *runner, e *env) any {
	t := ps.text
	if t == nil {
		lit := ps.lit
		return func(*runner, *env) any { return lit }
	}
	for _, ref := range t.refs() {
		ref.depth = c.depth(ref.b)
	}
	if len(t.parts) == 1 && t.parts[0].ref != nil && t.parts[0].ref.field == "" {
		ref := t.parts[0].ref
		return func(r *runner, e *env) any {
			f := e
			for range ref.depth {
				f = f.up
			}
			return ref.b.typ.js(f.v)
		}
	}
	return func(r *runner, e *env) any { return t.render(e) }
}
