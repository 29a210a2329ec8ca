package harness

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// A step is one decoded step of a scenario.
type step struct {
	kind   *kind
	pos    Pos    // where the kind key is
	valPos Pos    // where its value is
	src    string // the kind's value as written, for labels

	text  *template     // log text; read, encrypt and http values
	n     int           // encrypt's literal n, when text is nil
	dur   time.Duration // timeout, interval, block
	cost  time.Duration // read, encrypt
	delay time.Duration // http
	reply struct {
		status int
		body   string
	}
	id      string // timeout, interval, immediate; the target of clear
	idIndex int
	idPos   Pos
	as      string
	asPos   Pos
	times   int // interval: 0 means until cleared
	repeat  int // 0 means once

	then, onError, closed []*step
	hasError              bool // error is given, maybe as an empty list: failures are handled

	// Set by the checker.
	asBinding, iBinding, errBinding *binding
}

// A kind is a kind of step: its value, the other keys it takes, how it is decoded and compiled.
// The table is the format's reference: keep it sorted by name.
type kind struct {
	name    string
	value   string   // what the value is, for messages and help
	keys    []string // the other keys it takes, besides repeat
	node    string   // the Node.js analogue
	summary string
	decode  func(p *problems, s *step, v *yaml.Node)
	compile func(c *compiler, s *step) action
}

var kinds []*kind // set in init: the compile functions refer back to the table

func init() {
	kinds = []*kind{
		{name: "block", value: "duration", node: "a busy loop",
			summary: "holds the loop thread for the duration; under the virtual clock, time moves by it",
			decode:  decodeDuration, compile: compileBlock},
		{name: "clear", value: "id", node: "clearTimeout / clearInterval / clearImmediate",
			summary: "cancels the timer, interval or immediate with that id; one that already fired or was cleared is left alone",
			decode:  decodeClear, compile: compileClear},
		{name: "encrypt", value: "integer 0..92 or ${...}", keys: []string{"cost", "as", "then", "error"},
			node:    "a CPU job on the threadpool",
			summary: "computes fibonacci(n) on the pool, holding a worker for cost; as binds the integer result",
			decode:  decodeEncrypt, compile: compileEncrypt},
		{name: "http", value: "path", keys: []string{"delay", "respond", "as", "then", "error", "closed"},
			node:    "http.get",
			summary: "GETs the path from the delay server, which answers after delay with respond; as binds the response (.status, .body); closed runs in the close phase",
			decode:  decodeText, compile: compileHTTP},
		{name: "immediate", value: "empty", keys: []string{"then", "id"}, node: "setImmediate",
			summary: "runs then in the next check phase",
			decode:  decodeEmpty, compile: compileImmediate},
		{name: "interval", value: "duration", keys: []string{"then", "id", "times"}, node: "setInterval",
			summary: "runs then every duration, times times or until cleared",
			decode:  decodeDuration, compile: compileInterval},
		{name: "log", value: "text", node: "console.log",
			summary: "prints the text; each of its lines is a line of the ordering",
			decode:  decodeText, compile: compileLog},
		{name: "microtask", value: "empty", keys: []string{"then"}, node: "queueMicrotask",
			summary: "runs then once the nextTick queue is empty, after the current callback",
			decode:  decodeEmpty, compile: compileMicrotask},
		{name: "nextTick", value: "empty", keys: []string{"then"}, node: "process.nextTick",
			summary: "runs then as soon as the current callback returns",
			decode:  decodeEmpty, compile: compileNextTick},
		{name: "read", value: "path", keys: []string{"cost", "as", "then", "error"}, node: "fs.readFile",
			summary: "reads the file from the sandbox on the pool, holding a worker for cost; as binds its text",
			decode:  decodeText, compile: compileRead},
		{name: "timeout", value: "duration", keys: []string{"then", "id"}, node: "setTimeout",
			summary: "runs then once, after the duration",
			decode:  decodeDuration, compile: compileTimeout},
	}
}

func kindNamed(name string) *kind {
	i, ok := slices.BinarySearchFunc(kinds, name, func(k *kind, name string) int { return strings.Compare(k.name, name) })
	if !ok {
		return nil
	}
	return kinds[i]
}

func kindNames() string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.name
	}
	return strings.Join(names, ", ")
}

// decodeSteps decodes a list of steps; where names the list in messages (main, then, ...).
func decodeSteps(p *problems, n *yaml.Node, where string) []*step {
	if n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.at(n, "%s must be a list of steps; got %s", where, describe(n))
		return nil
	}
	var steps []*step
	for _, item := range n.Content {
		if s := decodeStep(p, item); s != nil {
			steps = append(steps, s)
		}
	}
	return steps
}

func decodeStep(p *problems, n *yaml.Node) *step {
	if n.Kind != yaml.MappingNode {
		p.at(n, "a step must be a mapping with one of %s; got %s", kindNames(), describe(n))
		return nil
	}
	kv := pairs(p, n)
	var s *step
	var kindKey, kindVal *yaml.Node
	for _, e := range kv {
		k := kindNamed(e[0].Value)
		if k == nil {
			continue
		}
		if s != nil {
			p.at(e[0], "a step has one kind; this one has %s and %s", s.kind.name, k.name)
			continue
		}
		s = &step{kind: k, pos: p.pos(e[0]), idIndex: -1, cost: time.Millisecond}
		s.reply.status, s.reply.body = 200, "OK"
		kindKey, kindVal = e[0], e[1]
	}
	if s == nil {
		keys := make([]string, len(kv))
		for i, e := range kv {
			keys[i] = e[0].Value
		}
		p.at(n, "the step has no kind (keys: %s): expected one of %s", strings.Join(keys, ", "), kindNames())
		return nil
	}
	s.src, s.valPos = kindVal.Value, p.pos(kindVal)
	s.kind.decode(p, s, kindVal)
	for _, e := range kv {
		k, v := e[0], e[1]
		switch {
		case k == kindKey || kindNamed(k.Value) != nil:
		case k.Value == "repeat":
			s.repeat, _ = intValue(p, v, "repeat", 1, maxRepeat)
		case !slices.Contains(s.kind.keys, k.Value):
			p.at(k, "unknown key %q in a %s step: %s takes %s", k.Value, s.kind.name, s.kind.name,
				strings.Join(append(slices.Clone(s.kind.keys), "repeat"), ", "))
		default:
			decodeKey(p, s, k, v)
		}
	}
	return s
}

// decodeKey decodes one of the keys besides the kind.
func decodeKey(p *problems, s *step, k, v *yaml.Node) {
	switch k.Value {
	case "then":
		s.then = decodeSteps(p, v, "then")
	case "error":
		s.onError, s.hasError = decodeSteps(p, v, "error"), true
	case "closed":
		s.closed = decodeSteps(p, v, "closed")
	case "id":
		if name, ok := scalarString(p, v, "id"); ok {
			s.id, s.idPos = name, p.pos(v)
		}
	case "as":
		switch {
		case v.Kind != yaml.ScalarNode || !isIdent(v.Value):
			p.at(v, "as must be a name (letters, digits, _); got %s", describe(v))
		case v.Value == "i" || v.Value == "error":
			p.at(v, "as: %s: the name %s is reserved", v.Value, v.Value)
		default:
			s.as, s.asPos = v.Value, p.pos(v)
		}
	case "times":
		s.times, _ = intValue(p, v, "times", 1, maxRepeat)
	case "cost":
		s.cost, _ = duration(p, v, "cost")
	case "delay":
		s.delay, _ = duration(p, v, "delay")
	case "respond":
		decodeRespond(p, s, v)
	}
}

func decodeRespond(p *problems, s *step, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.at(n, "respond must be a mapping with status and body; got %s", describe(n))
		return
	}
	for _, kv := range pairs(p, n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "status":
			if st, ok := intValue(p, v, "status", 100, 599); ok {
				s.reply.status = st
			}
		case "body":
			if b, ok := scalarString(p, v, "body"); ok {
				s.reply.body = b
			}
		default:
			p.at(k, "unknown key %q in respond: expected status or body", k.Value)
		}
	}
}

// duration decodes an integer number of milliseconds or a Go duration string.
func duration(p *problems, n *yaml.Node, what string) (time.Duration, bool) {
	if n.Kind == yaml.ScalarNode {
		switch n.Tag {
		case "!!int":
			ms, err := strconv.ParseInt(n.Value, 10, 64)
			if err == nil && ms >= 0 && ms <= int64(maxDuration/time.Millisecond) {
				return time.Duration(ms) * time.Millisecond, true
			}
			if err == nil && ms < 0 {
				p.at(n, "%s must not be negative; got %s", what, n.Value)
				return 0, false
			}
		case "!!str":
			d, err := time.ParseDuration(n.Value)
			if err == nil && d >= 0 && d <= maxDuration {
				return d, true
			}
			if err == nil && d < 0 {
				p.at(n, "%s must not be negative; got %s", what, n.Value)
				return 0, false
			}
		}
	}
	p.at(n, "%s must be a duration up to %v: an integer number of milliseconds, or a string such as 500ms or 1.5s; got %s",
		what, maxDuration, describe(n))
	return 0, false
}

// maxDuration bounds every duration in a file, so that sums of them cannot overflow.
const maxDuration = 24 * time.Hour

func decodeDuration(p *problems, s *step, v *yaml.Node) {
	s.dur, _ = duration(p, v, s.kind.name)
}

func decodeEmpty(p *problems, s *step, v *yaml.Node) {
	if v.Tag != "!!null" {
		p.at(v, "%s takes no value (write `- %s:` and put its steps under then); got %s", s.kind.name, s.kind.name, describe(v))
	}
}

func decodeText(p *problems, s *step, v *yaml.Node) {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		p.at(v, "%s must be %s; got %s", s.kind.name, s.kind.value, describe(v))
		return
	}
	t, err := parseTemplate(v.Value)
	if err != nil {
		p.at(v, "%s", err)
		return
	}
	s.text = t
	switch s.kind.name {
	case "read":
		if lit, ok := t.static(); ok {
			if msg := checkRelPath(lit); msg != "" {
				p.at(v, "read %q: %s", lit, msg)
			}
		}
	case "http":
		if !strings.HasPrefix(v.Value, "/") {
			p.at(v, "http must be a path on the delay server, starting with /; got %s", describe(v))
		}
	}
}

func decodeEncrypt(p *problems, s *step, v *yaml.Node) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!str" && strings.Contains(v.Value, "${") {
		decodeText(p, s, v)
		return
	}
	if n, ok := intValue(p, v, "encrypt", 0, maxEncrypt); ok {
		s.n = n
	}
}

func decodeClear(p *problems, s *step, v *yaml.Node) {
	if name, ok := scalarString(p, v, "clear"); ok {
		s.id, s.idPos = name, p.pos(v)
	}
}

// label names a step in the trace: its kind, its value and its place.
func (s *step) label() string {
	src := s.src
	if s.kind.name == "timeout" || s.kind.name == "interval" {
		src = max(s.dur, time.Millisecond).String()
	}
	if src != "" {
		src = " " + src
	}
	return fmt.Sprintf("%s%s (%s)", s.kind.name, src, s.pos)
}
