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
		if !slices.Contains(names, sc.b.name) {
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
}

func check(p *problems, s *Scenario) {
	c := &checker{p: p, ids: map[string]*step{}, cleared: map[string]bool{}}
	c.steps(s.main, nil)
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
	if s.id != "" && s.kind.key(keyID.name) != nil {
		if prev, dup := c.ids[s.id]; dup {
			c.errorAt(s.idPos, "id %q is already used at %s", s.id, prev.idPos)
		} else {
			s.idIndex = len(c.ids)
			c.ids[s.id] = s
		}
	}
	if s.kind.check != nil {
		s.kind.check(c, s)
	}
	then := sc
	if s.as != "" {
		s.asBinding = &binding{name: s.as, typ: s.kind.result}
		then = sc.with(s.asBinding)
	}
	c.steps(s.then, then)
	if s.hasError {
		s.errBinding = &binding{name: "error", typ: typeString}
		c.steps(s.onError, sc.with(s.errBinding))
	}
	c.steps(s.closed, sc)
}

// refs resolves the references of a step's text, checking names and fields.
func (c *checker) refs(s *step, sc *scope) {
	for _, r := range s.text.refs() {
		b := sc.find(r.name)
		if b == nil {
			c.errorAt(s.valPos, "%s: %q is not in scope (%s)", r, r.name, sc.names())
			continue
		}
		b.used = true
		r.b = b
		typ := b.typ
		if r.field != "" {
			f := b.typ.field(r.field)
			if f == nil {
				c.errorAt(s.valPos, "%s: %s is %s and has no field %q (%s)", r, r.name, b.typ, r.field, fieldsHelp(true))
				continue
			}
			typ = f.typ
		}
		if typ.text == nil {
			uses := make([]string, len(typ.fields))
			for i, f := range typ.fields {
				uses[i] = "${" + r.name + "." + f.name + "}"
			}
			c.errorAt(s.valPos, "%s is %s: use %s", r, typ, listOf(uses, "or"))
		}
	}
}
