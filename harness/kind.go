package harness

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// A kind is one kind of step, as rsc.io/script makes each command one value: what its value is,
// the keys it takes, and the functions that decode, check, compile and write it as JavaScript.
// Each kind is a file of its own (kind_NAME.go) holding its value, its payload type and those
// functions; kinds lists them all.
type kind struct {
	name    string    // the key that says a step is of this kind
	value   string    // what the value is, for messages and help
	keys    []string  // the other keys it takes, besides repeat
	node    string    // the Node.js analogue, for help
	summary string    // what it does, for help
	result  valueType // what as binds, for a kind that takes as
	timer   bool      // its value is a timer's delay (explore leaves those exact unless asked)

	// decode reads the kind's value into s.arg; the common keys (then, error, closed, id, as,
	// repeat) are read by decodeStep.
	decode func(p *problems, s *step, v *yaml.Node)
	// decodeKey reads one of the kind's own keys (the keys not read by decodeStep) into s.arg;
	// nil when it has none.
	decodeKey func(p *problems, s *step, k, v *yaml.Node)
	// check, if not nil, checks what needs the whole file, once its step has been checked in
	// scope.
	check func(c *checker, s *step)
	// compile turns the step into the action that performs it.
	compile func(c *compiler, s *step) action
	// js writes the step as a JavaScript statement of the scenario's Node.js program.
	js func(g *jsGen, s *step)
}

// kinds is the table of step kinds, sorted by name: the format's reference (help format, the
// tables of docs/format.md) is generated from it. Adding a kind is adding its file and a line
// here.
var kinds []*kind

func init() {
	// Set in init: the compile functions refer back to the table.
	kinds = []*kind{
		kindBlock,
		kindClear,
		kindEncrypt,
		kindHTTP,
		kindImmediate,
		kindInterval,
		kindLog,
		kindMicrotask,
		kindNextTick,
		kindRead,
		kindTimeout,
	}
}

// The keys that decodeStep reads for every kind that takes them.
var commonKeys = []string{"then", "error", "closed", "id", "as"}

func kindNamed(name string) *kind {
	i, ok := slices.BinarySearchFunc(kinds, name, func(k *kind, name string) int { return strings.Compare(k.name, name) })
	if !ok {
		return nil
	}
	return kinds[i]
}

func kindNames() string { return strings.Join(kindList(), ", ") }

func kindList() []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.name
	}
	return names
}

// isStepKey reports whether some kind takes key besides its value.
func isStepKey(key string) bool {
	if key == "repeat" {
		return true
	}
	for _, k := range kinds {
		if slices.Contains(k.keys, key) {
			return true
		}
	}
	return false
}
