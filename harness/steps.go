package harness

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/looptest/looptest/internal/delay"
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
		fault  delay.Fault
		pos    Pos // of the fault
	}
	httpTimeout time.Duration // http: 0 means none
	id          string        // timeout, interval, immediate; the target of clear
	idIndex     int
	idPos       Pos
	as          string
	asPos       Pos
	times       int // interval: 0 means until cleared
	repeat      int // 0 means once

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
		{name: "encrypt", value: "an integer from 0 to 92, or ${...}", keys: []string{"cost", "as", "then", "error"},
			node:    "a CPU job on the threadpool",
			summary: "computes fibonacci(n) on the pool, holding a worker for cost; as binds the integer result",
			decode:  decodeEncrypt, compile: compileEncrypt},
		{name: "http", value: "a path on the delay server, starting with /", keys: []string{"delay", "respond", "timeout", "as", "then", "error", "closed"},
			node:    "http.get",
			summary: "GETs the path from the delay server, which answers after delay with respond (status, body, or a fault: " + faultNames() + "); a response later than timeout fails; as binds the response (.status, .body); closed runs in the close phase",
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
		{name: "read", value: "a path in the sandbox", keys: []string{"cost", "as", "then", "error"}, node: "fs.readFile",
			summary: "reads the file from the sandbox on the pool, holding a worker for cost; as binds its text",
			decode:  decodeText, compile: compileRead},
		{name: "timeout", value: "duration", keys: []string{"then", "id"}, node: "setTimeout",
			summary: "runs then once, after the duration",
			decode:  decodeDuration, compile: compileTimeout},
	}
}

// faultNames lists the faults the delay server can inject, for messages and help.
func faultNames() string {
	names := make([]string, len(delay.Faults))
	for i, f := range delay.Faults {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

func kindNamed(name string) *kind {
	i, ok := slices.BinarySearchFunc(kinds, name, func(k *kind, name string) int { return strings.Compare(k.name, name) })
	if !ok {
		return nil
	}
	return kinds[i]
}

func kindNames() string { return strings.Join(kindList(), ", ") }

// decodeSteps decodes a list of steps; where names the list in messages (main, then, ...).
func decodeSteps(p *problems, n *yaml.Node, where string) []*step {
	if n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.at(n, "%s must be a list of steps; got %s", where, describe(n))
		return nil
	}
	if p.depth == maxNesting {
		if !p.tooDeep {
			p.tooDeep = true
			p.at(n, "steps nested more than %d levels deep: flatten the scenario", maxNesting)
		}
		return nil
	}
	p.depth++
	defer func() { p.depth-- }()
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
	kindKey := stepKind(p, kv)
	if kindKey == nil {
		noKind(p, n, kv)
		return nil
	}
	var kindVal *yaml.Node
	for _, e := range kv {
		if e[0] == kindKey {
			kindVal = e[1]
		}
	}
	s := &step{kind: kindNamed(kindKey.Value), pos: p.pos(kindKey), idIndex: -1, cost: time.Millisecond}
	s.reply.status, s.reply.body = 200, "OK"
	s.src, s.valPos = kindVal.Value, p.pos(kindVal)
	s.kind.decode(p, s, kindVal)
	for _, e := range kv {
		k, v := e[0], e[1]
		switch {
		case k == kindKey:
		case k.Value == "repeat":
			s.repeat, _ = intValue(p, v, "repeat", 1, maxRepeat)
		case slices.Contains(s.kind.keys, k.Value):
			decodeKey(p, s, k, v)
		case kindNamed(k.Value) != nil: // reported by stepKind
		default:
			keys := append(slices.Clone(s.kind.keys), "repeat")
			p.at(k, "unknown key %q in a %s step%s: %s takes %s", k.Value, s.kind.name, suggest(k.Value, keys),
				s.kind.name, strings.Join(keys, ", "))
		}
	}
	checkFault(p, s)
	return s
}

// stepKind returns the key of a step that says its kind, or nil, reporting a step with more than
// one kind. A kind's name may also be a key of another kind (http takes a timeout): in a step
// with both, the other kind is the kind.
func stepKind(p *problems, kv [][2]*yaml.Node) *yaml.Node {
	var found []*yaml.Node
	for _, e := range kv {
		if kindNamed(e[0].Value) != nil {
			found = append(found, e[0])
		}
	}
	if len(found) == 0 {
		return nil
	}
	kind := found[0]
	for _, k := range found {
		for _, other := range found {
			if other != k && slices.Contains(kindNamed(k.Value).keys, other.Value) {
				kind = k
			}
		}
	}
	for _, k := range found {
		if k != kind && !slices.Contains(kindNamed(kind.Value).keys, k.Value) {
			p.at(k, "a step has exactly one kind; this one has both %s and %s: make them two steps", kind.Value, k.Value)
		}
	}
	return kind
}

// noKind reports a step without a kind: its unknown keys, with a suggestion for each, or, if
// it has only keys that go with a kind, that the kind is missing.
func noKind(p *problems, n *yaml.Node, kv [][2]*yaml.Node) {
	var keys []string
	for _, e := range kv {
		keys = append(keys, e[0].Value)
		if !isStepKey(e[0].Value) {
			p.at(e[0], "unknown step kind %q%s: expected one of %s", e[0].Value, suggest(e[0].Value, kindList()), kindNames())
			return
		}
	}
	p.at(n, "the step has no kind (keys: %s): expected one of %s", strings.Join(keys, ", "), kindNames())
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

func kindList() []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.name
	}
	return names
}

// suggest returns ` (did you mean "X"?)` for the candidate closest to name, if it is close
// enough to be a misspelling, or "".
func suggest(name string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" || bestDist > len(name)/3+1 {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// editDistance returns the Levenshtein distance between a and b, in bytes; names are short.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
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
		if name, ok := idName(p, v, "id"); ok {
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
		var ok bool
		if s.times, ok = intValue(p, v, "times", 1, maxRepeat); !ok {
			s.times = -1 // given, if wrong: the interval ends, as far as the checker is concerned
		}
	case "cost":
		s.cost, _ = duration(p, v, "cost")
	case "delay":
		s.delay, _ = duration(p, v, "delay")
	case "timeout":
		if d, ok := duration(p, v, "timeout"); ok && d == 0 {
			p.at(v, "timeout must be more than 0; leave it out for no timeout")
		} else {
			s.httpTimeout = d
		}
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
			b, ok := scalarString(p, v, "body")
			switch {
			case ok && len(b) > maxBody:
				// The body travels to the delay server in a request header.
				p.at(v, "body must be at most %d bytes; got %d", maxBody, len(b))
			case ok:
				s.reply.body = b
			}
		case "fault":
			f := delay.Fault(v.Value)
			if v.Kind != yaml.ScalarNode || !slices.Contains(delay.Faults, f) {
				p.at(v, "fault must be one of %s; got %s", faultNames(), describe(v))
				break
			}
			s.reply.fault, s.reply.pos = f, p.pos(v)
		default:
			p.at(k, "unknown key %q in respond%s: expected status, body or fault", k.Value, suggest(k.Value, []string{"status", "body", "fault"}))
		}
	}
}

// checkFault reports a fault that cannot work as the step asks: a hang that nothing ends, or a
// body too short to cut.
func checkFault(p *problems, s *step) {
	switch {
	case s.reply.fault == delay.FaultHang && s.httpTimeout == 0:
		p.list = append(p.list, &Error{s.reply.pos, "fault hang: the server never answers, so the request never ends: give the http step a timeout"})
	case s.reply.fault == delay.FaultCloseMidBody && s.reply.body == "":
		p.list = append(p.list, &Error{s.reply.pos, "fault close-mid-body: the server sends half the body, so the body must not be empty"})
	}
}

// duration decodes an integer number of milliseconds or a Go duration string.
func duration(p *problems, n *yaml.Node, what string) (time.Duration, bool) {
	if n.Kind == yaml.ScalarNode {
		var d time.Duration
		ok := false
		switch n.Tag {
		case "!!int", "!!float":
			f, err := strconv.ParseFloat(n.Value, 64)
			switch {
			case err != nil:
			case f != math.Trunc(f):
				p.at(n, "%s: %s is not a whole number of milliseconds: write it as a string, such as \"%sms\"", what, n.Value, n.Value)
				return 0, false
			case f < 0:
				d, ok = -1, true // any negative number, before it can overflow
			case f > float64(maxDuration/time.Millisecond):
				d, ok = maxDuration+1, true
			default:
				d, ok = time.Duration(f)*time.Millisecond, true
			}
		case "!!str":
			parsed, err := time.ParseDuration(n.Value)
			d, ok = parsed, err == nil
		}
		switch {
		case ok && d < 0:
			p.at(n, "%s must not be negative; got %s", what, n.Value)
			return 0, false
		case ok && d > maxDuration:
			p.at(n, "%s must be at most 24h; got %s", what, n.Value)
			return 0, false
		case ok:
			return d, true
		}
	}
	p.at(n, "%s must be a duration: an integer number of milliseconds, or a string such as 500ms or 1.5s; got %s",
		what, describe(n))
	return 0, false
}

// maxBody bounds a respond body: it is sent to the delay server in a request header, which the
// server takes up to 1 MiB, quoted.
const maxBody = 64 << 10

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
	if name, ok := idName(p, v, "clear"); ok {
		s.id, s.idPos = name, p.pos(v)
	}
}

// idName decodes an id: any text but the empty one.
func idName(p *problems, v *yaml.Node, what string) (string, bool) {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || v.Value == "" {
		if what == "clear" {
			p.at(v, "clear must name the id of a timeout, interval or immediate; got %s", describe(v))
		} else {
			p.at(v, "id must be a name; got %s", describe(v))
		}
		return "", false
	}
	return v.Value, true
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
