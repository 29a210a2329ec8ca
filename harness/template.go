package harness

import (
	"fmt"
	"strings"
)

// A template is text with ${NAME} and ${NAME.FIELD} references; $$ is a literal $, and a $ that
// starts neither is itself.
type template struct {
	src   string
	parts []part // literal text and references, in order
}

type part struct {
	lit string
	ref *ref // nil for literal text
}

// A ref is one ${NAME} or ${NAME.FIELD}.
type ref struct {
	name, field string
	b           *binding // what the name refers to, set by the checker
	depth       int      // how many frames up the binding's value is, set by the compiler
}

func (r *ref) String() string {
	if r.field == "" {
		return "${" + r.name + "}"
	}
	return "${" + r.name + "." + r.field + "}"
}

// parseTemplate splits s into literal text and references.
func parseTemplate(s string) (*template, error) {
	t := &template{src: s}
	var lit strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' || i+1 == len(s) || (s[i+1] != '$' && s[i+1] != '{') {
			lit.WriteByte(c)
			i++
			continue
		}
		if s[i+1] == '$' {
			lit.WriteByte('$')
			i += 2
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return nil, fmt.Errorf("unterminated ${ at offset %d: close it with }, or write $$ for a literal $", i)
		}
		r, err := parseRef(s[i+2 : i+2+end])
		if err != nil {
			return nil, err
		}
		if lit.Len() > 0 {
			t.parts = append(t.parts, part{lit: lit.String()})
			lit.Reset()
		}
		t.parts = append(t.parts, part{ref: r})
		i += 2 + end + 1
	}
	if lit.Len() > 0 {
		t.parts = append(t.parts, part{lit: lit.String()})
	}
	return t, nil
}

func parseRef(s string) (*ref, error) {
	name, field, hasField := strings.Cut(s, ".")
	if !isIdent(name) || hasField && !isIdent(field) {
		return nil, fmt.Errorf("bad reference ${%s}: expected ${NAME} or ${NAME.FIELD}", s)
	}
	return &ref{name: name, field: field}, nil
}

// isIdent reports whether s is a name: a letter or _, then letters, digits and _.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// static returns the text of a template without references.
func (t *template) static() (string, bool) {
	switch len(t.parts) {
	case 0:
		return "", true
	case 1:
		return t.parts[0].lit, t.parts[0].ref == nil
	}
	return "", false
}

// refs returns the template's references.
func (t *template) refs() []*ref {
	var rs []*ref
	for _, p := range t.parts {
		if p.ref != nil {
			rs = append(rs, p.ref)
		}
	}
	return rs
}

// render fills in the references from the frames of e.
func (t *template) render(e *env) string {
	if s, ok := t.static(); ok {
		return s
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.ref == nil {
			b.WriteString(p.lit)
		} else {
			b.WriteString(e.lookup(p.ref))
		}
	}
	return b.String()
}
