package harness

import "strconv"

// valueType is the type of a bound name: what a step's `as`, `${i}` or `${error}` holds.
type valueType uint8

const (
	typeString   valueType = iota // a read's text, ${error}
	typeInt                       // an encrypt's result, ${i}
	typeResponse                  // an http response: .status and .body
)

func (t valueType) String() string {
	return [...]string{"a string", "an integer", "a response"}[t]
}

// fields lists what ${NAME.FIELD} can select from each type, and the type of the result.
var fields = map[valueType]map[string]valueType{
	typeString:   {"len": typeInt},
	typeResponse: {"status": typeInt, "body": typeString},
}

// A binding is a name brought into scope by `as`, `repeat` (i) or `error` steps (error).
type binding struct {
	name string
	typ  valueType
	used bool // some reference reads it: only used bindings get a frame at run time
}

// value is a bound value at run time.
type value struct {
	s string
	n int64
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
	switch {
	case r.field == "len":
		return strconv.Itoa(len(e.v.s))
	case r.field == "status", r.b.typ == typeInt:
		return strconv.FormatInt(e.v.n, 10)
	}
	return e.v.s // a string, or a response's body
}
