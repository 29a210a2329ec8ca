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

// asType is the type of what each kind's `as` binds.
var asType = map[string]valueType{"read": typeString, "encrypt": typeInt, "http": typeResponse}

// checker checks what needs the whole file: names in scope, ids, intervals that can end.
type checker struct {
	p       *problems
	ids     map[string]*step // id → the step that has it
	cleared map[string]bool  // ids some clear step names
	clears  []*step
}

func check(p *problems, s *Scenario) {
	c := &checker{p: p, ids: map[string]*step{}, cleared: map[string]bool{}}
	c.steps(s.main, nil)
	for _, cl := range c.clears {
		if cl.id == "" {
			continue // its value was reported as it was decoded
		}
		target, ok := c.ids[cl.id]
		if !ok {
			c.p.list = append(c.p.list, &Error{cl.idPos, fmt.Sprintf("clear %q: no timeout, interval or immediate has id %q", cl.id, cl.id)})
			continue
		}
		cl.idIndex = target.idIndex
	}
	s.ids = make([]string, len(c.ids))
	for id, st := range c.ids {
		s.ids[st.idIndex] = id
	}
	c.walk(s.main, func(st *step) {
		if st.kind.name == "interval" && st.times == 0 && (st.id == "" || !c.cleared[st.id]) {
			c.p.list = append(c.p.list, &Error{st.pos, "interval never ends: give it times: N, or an id and a clear step for it"})
		}
	})
}

func (c *checker) walk(steps []*step, f func(*step)) {
	for _, s := range steps {
		f(s)
		c.walk(s.then, f)
		c.walk(s.onError, f)
		c.walk(s.closed, f)
	}
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
	switch s.kind.name {
	case "clear":
		c.cleared[s.id] = true
		c.clears = append(c.clears, s)
	case "timeout", "interval", "immediate":
		if s.id == "" {
			break
		}
		if prev, dup := c.ids[s.id]; dup {
			c.p.list = append(c.p.list, &Error{s.idPos, fmt.Sprintf("id %q is already used at %s", s.id, prev.idPos)})
			break
		}
		s.idIndex = len(c.ids)
		c.ids[s.id] = s
	}
	then := sc
	if s.as != "" {
		s.asBinding = &binding{name: s.as, typ: asType[s.kind.name]}
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
			c.p.list = append(c.p.list, &Error{s.valPos, fmt.Sprintf("%s: %q is not in scope (%s)", r, r.name, sc.names())})
			continue
		}
		b.used = true
		r.b = b
		typ := b.typ
		if r.field != "" {
			ft, ok := fields[b.typ][r.field]
			if !ok {
				c.p.list = append(c.p.list, &Error{s.valPos, fmt.Sprintf("%s: %s is %s and has no field %q (%s)", r, r.name, b.typ, r.field, fieldHelp)})
				continue
			}
			typ = ft
		}
		if typ == typeResponse {
			c.p.list = append(c.p.list, &Error{s.valPos, fmt.Sprintf("%s is a response: use ${%s.status} or ${%s.body}", r, r.name, r.name)})
		}
	}
}

const fieldHelp = "a string has .len, a response has .status and .body"
