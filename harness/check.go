package harness

import (
	"fmt"
	"slices"
	"strings"
)

// scope is the chain of names in scope at a step, the innermost first.
type scope struct {
	up *scope
	b  *binding
}

func (sc *scope) find(name string) *binding {
	for ; sc != nil; sc = sc.up {
		if sc.b.name == name {
			return sc.b
		}
	}
	return nil
}

func (sc *scope) names() string {
	var names []string
	for ; sc != nil; sc = sc.up {
		if sc.b.name != "" && !slices.Contains(names, sc.b.name) {
			names = append(names, sc.b.name)
		}
	}
	if len(names) == 0 {
		return "no names are in scope here"
	}
	slices.Sort(names)
	return "in scope: " + strings.Join(names, ", ")
}

func (sc *scope) with(b *binding) *scope { return &scope{up: sc, b: b} }

// checker checks what needs the whole file: names in scope, ids, intervals that can end.
type checker struct {
	p       *problems
	ids     map[string]*step // id → the step that has it
	cleared map[string]bool  // ids some clear step names
	later   []func()         // the checks of kinds that need the whole file walked first
	fn      *fnCtx           // the function the steps being checked are the body of
	sc      *scope           // the scope of the step being checked, for its kind's check: read it first, nested steps move it
}

// A fnCtx is the function that a body of steps is: main, a callback, a promise handler, an
// async body or a new executor. It decides where await, resolve, reject and return may be.
type fnCtx struct {
	kind    fnKind
	inAsync bool     // it is, or is inside, an async body: an await makes it async
	exec    *binding // the frame of the innermost new executor around it, for resolve and reject
}

type fnKind uint8

const (
	fnMain fnKind = iota
	fnCallback
	fnHandler // a then, catch or finally of a chain
	fnAsync
	fnExecutor
)

// body checks steps as the body of a function of kind k, nested in the one being checked.
func (c *checker) body(k fnKind, steps []*step, sc *scope) {
	outer := c.fn
	f := &fnCtx{kind: k, inAsync: outer.inAsync || k == fnAsync, exec: outer.exec}
	c.fn = f
	c.steps(steps, sc)
	c.fn = outer
}

func check(p *problems, s *Scenario) {
	c := &checker{p: p, ids: map[string]*step{}, cleared: map[string]bool{}, fn: &fnCtx{kind: fnMain}}
	c.steps(s.main, nil)
	if s.hasRejection {
		s.rejectionB = &binding{name: "error", typ: typeString}
		c.body(fnCallback, s.onRejection, (*scope)(nil).with(s.rejectionB))
	}
	if s.hasException {
		s.exceptionB = &binding{name: "error", typ: typeString}
		c.body(fnCallback, s.onException, (*scope)(nil).with(s.exceptionB))
	}
	for _, f := range c.later {
		f()
	}
	s.ids = make([]string, len(c.ids))
	for id, st := range c.ids {
		s.ids[st.idIndex] = id
	}
}

// errorAt reports a problem at pos.
func (c *checker) errorAt(pos Pos, format string, args ...any) {
	c.p.list = append(c.p.list, &Error{pos, fmt.Sprintf(format, args...)})
}

func (c *checker) steps(steps []*step, sc *scope) {
	for _, s := range steps {
		c.step(s, sc)
		if s.kind.asAfter && s.asBinding != nil {
			sc = sc.with(s.asBinding) // an await's as: the steps after it see it
		}
	}
}

func (c *checker) step(s *step, sc *scope) {
	if s.repeat > 0 {
		s.iBinding = &binding{name: "i", typ: typeInt}
		sc = sc.with(s.iBinding)
	}
	if s.text != nil {
		c.refs(s, sc)
	}
	for _, vr := range s.vary {
		c.templateRefs(vr.t, vr.pos, sc)
	}
	if s.id != "" && s.kind.key(keyID.name) != nil {
		if prev, dup := c.ids[s.id]; dup {
			c.errorAt(s.idPos, "id %q is already used at %s", s.id, prev.idPos)
		} else {
			s.idIndex = len(c.ids)
			c.ids[s.id] = s
		}
	}
	if s.as != "" {
		s.asBinding = &binding{name: s.as, typ: s.kind.result}
	}
	if s.kind.check != nil {
		c.sc = sc
		s.kind.check(c, s)
	}
	then := sc
	if s.asBinding != nil && !s.kind.asAfter {
		then = sc.with(s.asBinding)
	}
	c.body(fnCallback, s.then, then)
	if s.hasError {
		s.errBinding = &binding{name: "error", typ: typeString}
		c.body(fnCallback, s.onError, sc.with(s.errBinding))
	}
	c.body(fnCallback, s.closed, sc)
}

// refs resolves the references of a step's text, checking names and fields.
func (c *checker) refs(s *step, sc *scope) { c.templateRefs(s.text, s.valPos, sc) }

// templateRefs resolves the references of t, a text at pos, checking names and fields.
func (c *checker) templateRefs(t *template, pos Pos, sc *scope) {
	for _, r := range t.refs() {
		b := sc.find(r.name)
		if b == nil {
			hint := ""
			switch r.name {
			case "value":
				hint = "; ${value} is the value inside a then handler of a chain"
			case "error":
				hint = "; ${error} is the message inside error steps or a catch"
			}
			c.errorAt(pos, "%s: %q is not in scope (%s%s)", r, r.name, sc.names(), hint)
			continue
		}
		b.used = true
		r.b = b
		typ := b.typ
		if r.field != "" {
			f := b.typ.field(r.field)
			if f == nil {
				c.errorAt(pos, "%s: %s is %s and has no field %q (%s)", r, r.name, b.typ, r.field, fieldsHelp(true))
				continue
			}
			typ = f.typ
		}
		if typ.text == nil {
			uses := make([]string, len(typ.fields))
			for i, f := range typ.fields {
				uses[i] = "${" + r.name + "." + f.name + "}"
			}
			c.errorAt(pos, "%s is %s: use %s", r, typ, listOf(uses, "or"))
		}
	}
}
