package harness

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/looptest/looptest/internal/nodejs"
	"gopkg.in/yaml.v3"
)

// A kind is one kind of step, as rsc.io/script makes each command one value: what its value is,
// the keys it takes, what its callbacks are, and the functions that decode, check, compile and
// write it as JavaScript. Each kind is a file of its own (kind_NAME.go) holding its value, its
// payload type and those functions; kinds lists them all. Help, docs/format.md, the JSON schema
// and the Node.js program learn what they say of a kind from here alone.
type kind struct {
	name     string         // the key that says a step is of this kind
	value    string         // what the value is, for messages and help
	schema   func() *schema // the JSON schema of the value
	template bool           // the value may hold ${...} references, decoded into step.text
	keys     []*key         // the other keys it takes, besides repeat
	node     string         // the Node.js analogue, for help
	summary  string         // what it does, for help
	result   *valueType     // what as binds, for a kind that takes as
	// delay, for a timer, returns its delay, which Node.js keeps exact (explore leaves those
	// exact unless asked, Timing.Timer); nil for a kind that is not a timer.
	delay func(s *step) time.Duration
	// then says when its then runs, as far as the warnings of races need to know.
	then callbackTime
	// clearJS is the Node.js function that clear calls for a step of this kind, for a kind whose
	// ids clear names.
	clearJS string
	// needs returns the features of the Node.js runtime that the step needs; nil for none.
	needs func(s *step) []nodejs.Feature
	// idPromise says that the step's id names the promise it makes, for {id: NAME}.
	idPromise bool
	// asAfter says that as binds for the steps after the step in its list, not inside a then
	// (await). Such a kind compiles with compileAfter, which is given what runs after it.
	asAfter      bool
	compileAfter func(c *compiler, s *step, rest action) action
	// nested, if not nil, calls f on the lists of steps the step holds besides then, error and
	// closed (an async body, a chain's handlers, a source's executor), for walkSteps.
	nested func(s *step, f func([]*step))

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

// callbackTime says when a kind's then runs.
type callbackTime uint8

const (
	thenInPhase callbackTime = iota // in a phase of the loop, or not at all: the kinds not below
	thenSoon                        // as soon as the current callback returns (nextTick, microtask)
	thenCheck                       // in the next check phase (immediate)
)

// always returns a kind's needs function for a kind whose every step needs features.
func always(features ...nodejs.Feature) func(*step) []nodejs.Feature {
	return func(*step) []nodejs.Feature { return features }
}

// key returns the key named name that k takes besides its value and repeat, or nil.
func (k *kind) key(name string) *key {
	for _, key := range k.keys {
		if key.name == name {
			return key
		}
	}
	return nil
}

// an returns the kind's name after its article: "a timeout", "an immediate".
func (k *kind) an() string {
	if strings.ContainsRune("aeiou", rune(k.name[0])) {
		return "an " + k.name
	}
	return "a " + k.name
}

// keyNames returns the names of the keys k takes, besides its value and repeat.
func (k *kind) keyNames() []string {
	names := make([]string, len(k.keys))
	for i, key := range k.keys {
		names[i] = key.name
	}
	return names
}

// valueTiming returns the Timing of the duration that is a step's value (timeout, interval,
// block).
func valueTiming(s *step) Timing {
	return Timing{Step: s.pos, Key: s.kind.name, Timer: s.kind.delay != nil}
}

// kinds is the table of step kinds, sorted by name: the format's reference (help format, the
// tables of docs/format.md) is generated from it. Adding a kind is adding its file and a line
// here.
var kinds []*kind

func init() {
	// Set in init: the compile functions refer back to the table.
	kinds = []*kind{
		kindAsync,
		kindAwait,
		kindBlock,
		kindClear,
		kindEncrypt,
		kindHTTP,
		kindImmediate,
		kindInterval,
		kindLog,
		kindMicrotask,
		kindNextTick,
		kindPromise,
		kindRead,
		kindRefresh,
		kindReject,
		kindResolve,
		kindReturn,
		kindThrow,
		kindTimeout,
	}
}

// A key is one of the keys that steps take besides their kind's: what it means and the schema of
// its value, for the JSON schema. The common keys, below, mean the same in every kind that takes
// them and are read by decodeStep; a kind's own keys are read by its decodeKey.
type key struct {
	name        string
	description string
	schema      func() *schema
}

// The keys that decodeStep reads for every kind that takes them, and repeat, which every kind
// takes.
var (
	keyThen   = &key{"then", "The callback's steps, run when the operation completes (timers: when they fire).", stepsSchema}
	keyError  = &key{"error", "Steps run instead of then when the operation fails; ${error} holds the message. error: [] ignores failures; with no error, a failure ends the run with status 1.", stepsSchema}
	keyClosed = &key{"closed", "Steps run in the close-callbacks phase once the response's connection is closed: the client closes it right after the response (or error) callback.", stepsSchema}
	keyID     = &key{"id", "Names the timeout, interval or immediate, for clear, or the promise of a promise or async step, for {id: NAME}. Ids are unique in a file.", func() *schema {
		return &schema{Type: []string{"string", "number", "boolean"}, MinLength: ptr(1)}
	}}
	keyAs     = &key{"as", "Binds the result inside then and everything nested in it (closure scope); i, error and value are reserved.", asSchema}
	keyRepeat = &key{"repeat", fmt.Sprintf("Performs the step N times in a row (1..%d); ${i} holds the index, from 0, inside the step and its callbacks.", maxRepeat), func() *schema { return intRange(1, maxRepeat) }}

	commonKeys = []*key{keyThen, keyError, keyClosed, keyID, keyAs}
)

// keyCost is the key of the kinds that hold a pool worker.
var keyCost = &key{"cost", "How long the operation holds its pool worker; default " + defaultCost.String() + ".", templateDurationKey(defaultCost.String(), false)}

// common reports whether decodeStep reads the key, for every kind that takes it.
func (k *key) common() bool { return k == keyRepeat || slices.Contains(commonKeys, k) }

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
	if key == keyRepeat.name {
		return true
	}
	for _, k := range kinds {
		if k.key(key) != nil {
			return true
		}
	}
	return false
}
