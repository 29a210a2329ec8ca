package harness

import (
	"slices"
	"strconv"
	"strings"
)

// A valueType is the type of a bound name: what a step's `as`, `${i}` or `${error}` holds. The
// types that kinds' results are (typeResponse) are declared with their kinds.
type valueType struct {
	name   string               // for messages and help
	text   func(v value) string // what ${NAME} renders; nil when only its fields can be used
	fields []*field             // what ${NAME.FIELD} can select from it
	// js returns the value as JavaScript has it, for a source that passes it on (resolve: ${n}).
	js func(v value) any
}

func (t *valueType) String() string { return t.name }

// A field is what ${NAME.FIELD} selects from a value of its type.
type field struct {
	name string
	typ  *valueType
	get  func(v value) string     // its text at run time
	js   func(expr string) string // its JavaScript expression, from the value's
}

var (
	typeString = &valueType{name: "a string", text: func(v value) string { return v.s }, fields: []*field{ // a read's text, ${error}
		{name: "len", typ: typeInt, get: func(v value) string { return strconv.Itoa(len(v.s)) },
			js: func(expr string) string { return "Buffer.byteLength(" + expr + ")" }}, // bytes, as looptest counts
	}, js: func(v value) any { return v.s }}
	typeInt = &valueType{name: "an integer", text: func(v value) string { return strconv.FormatInt(v.n, 10) }, // an encrypt's result, ${i}
		js: func(v value) any { return v.n }}
)

// field returns t's field named name, or nil.
func (t *valueType) field(name string) *field {
	for _, f := range t.fields {
		if f.name == name {
			return f
		}
	}
	return nil
}

// jsField returns the js function of a field that is a property of the JavaScript value.
func jsField(name string) func(string) string {
	return func(expr string) string { return expr + "." + name }
}

// valueTypes returns the types that names can be bound to: the string and integer of ${error}
// and ${i}, and the kinds' results, each once.
func valueTypes() []*valueType {
	types := []*valueType{typeString, typeInt}
	for _, k := range kinds {
		if k.result != nil && !slices.Contains(types, k.result) {
			types = append(types, k.result)
		}
	}
	return types
}

// fieldsHelp says which fields each type has: ".len of a string, .status and .body of a
// response", or with has, "a string has .len, a response has .status and .body".
func fieldsHelp(has bool) string {
	var parts []string
	for _, t := range valueTypes() {
		if len(t.fields) == 0 {
			continue
		}
		names := make([]string, len(t.fields))
		for i, f := range t.fields {
			names[i] = "." + f.name
		}
		if has {
			parts = append(parts, t.name+" has "+listOf(names, "and"))
		} else {
			parts = append(parts, listOf(names, "and")+" of "+t.name)
		}
	}
	return strings.Join(parts, ", ")
}

// A binding is a name brought into scope by `as`, `repeat` (i) or `error` steps (error).
type binding struct {
	name string
	typ  *valueType
	used bool // some reference reads it: only used bindings get a frame at run time
}

// value is a bound value at run time.
type value struct {
	s string
	n int64
	x any // a JavaScript value (jsvalue.go): a promise's value, a promise, an executor's functions
}

// env is a chain of frames, the innermost first: closure scope, as in JavaScript.
type env struct {
	up *env
	v  value
}

// lookup returns the text of r in e.
func (e *env) lookup(r *ref) string {
	for range r.depth {
		e = e.up
	}
	if r.field != "" {
		return r.b.typ.field(r.field).get(e.v)
	}
	return r.b.typ.text(e.v)
}

// typ returns the type of what r renders, once the checker has resolved it.
func (r *ref) typ() *valueType {
	if r.field != "" {
		return r.b.typ.field(r.field).typ
	}
	return r.b.typ
}
