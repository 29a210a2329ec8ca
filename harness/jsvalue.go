package harness

import (
	"math"
	"strconv"
	"strings"

	"github.com/looptest/looptest/loop"
)

// The values that promises hold and that ${value} renders are JavaScript's, as a scenario's
// program would have them: each is one of
//
//	nil            undefined
//	string         a string
//	float64        a number
//	int64          an encrypt's result (a number; kept whole past 2^53)
//	bool           a boolean
//	*jsError       an Error, an AggregateError
//	[]any          an array: what all and allSettled give
//	*settledResult an object of allSettled
//	*loop.Response an http response
//	*promise       a promise
//	*thenable      a plain object with a then method
type jsError struct {
	name    string // Error, AggregateError
	message string
	errors  []any // an AggregateError's
}

// newError returns new Error(message).
func newError(message string) *jsError { return &jsError{name: "Error", message: message} }

// A settledResult is one of allSettled's objects: {status, value} or {status, reason}.
type settledResult struct {
	fulfilled bool
	v         any // the value or the reason
}

// A thenable is {thenable: V}: an object whose then calls its first argument with v at once.
type thenable struct{ v any }

// jsString renders v as JavaScript's String(v), as a template literal does.
func jsString(v any) string {
	switch v := v.(type) {
	case nil:
		return "undefined"
	case string:
		return v
	case float64:
		return jsNumber(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	case *jsError:
		if v.message == "" {
			return v.name
		}
		return v.name + ": " + v.message
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			if e != nil {
				parts[i] = jsString(e)
			}
		}
		return strings.Join(parts, ",")
	case *promise:
		return "[object Promise]"
	}
	return "[object Object]" // a settled result, a response, a thenable
}

// jsNumber renders a number as JavaScript does, for the numbers a scenario can write.
func jsNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == math.Trunc(f) && math.Abs(f) < 1e21:
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// errorMessage returns what ${error} renders for a rejection's reason: an Error's message, or
// the reason itself as text.
func errorMessage(reason any) string {
	if e, ok := reason.(*jsError); ok {
		return e.message
	}
	return jsString(reason)
}

// dynField returns ${v.NAME} of a value whose type is known only at run time: a string's len
// (bytes, as looptest counts), a response's status and body; undefined otherwise, as
// JavaScript's property access gives.
func dynField(v any, name string) string {
	switch v := v.(type) {
	case string:
		if name == "len" {
			return strconv.Itoa(len(v))
		}
	case *loop.Response:
		switch name {
		case "status":
			return strconv.Itoa(v.Status)
		case "body":
			return v.Body
		}
	case *jsError:
		if name == "message" {
			return v.message
		}
	}
	return "undefined"
}

// typeValue is what ${value} and an await's as hold: any JavaScript value, known at run time.
// It renders as a template literal would; its fields are those of the values it may hold,
// undefined on the others.
var typeValue = &valueType{name: "a value", text: func(v value) string { return jsString(v.x) },
	fields: []*field{
		{name: "len", typ: typeInt, get: func(v value) string { return dynField(v.x, "len") },
			js: func(expr string) string { return "byteLength(" + expr + ")" }},
		{name: "status", typ: typeInt, get: func(v value) string { return dynField(v.x, "status") }, js: jsField("status")},
		{name: "body", typ: typeString, get: func(v value) string { return dynField(v.x, "body") }, js: jsField("body")},
	},
	js: func(v value) any { return v.x }}
