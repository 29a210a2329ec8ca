package harness

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// A step is one decoded step of a scenario: what every kind has, and the payload of its kind.
type step struct {
	kind   *kind
	pos    Pos    // where the kind key is
	valPos Pos    // where its value is
	src    string // the kind's value as written, for its Source
	arg    any    // the kind's payload: what its decode made of the value and of its own keys
	text   *template
	vary   []*varying // the values of its keys that hold ${...}

	id      string // a timer's or an immediate's own id, or the id that clear names
	idIndex int    // its index in Scenario.ids, set by the checker; -1 for none
	idPos   Pos
	as      string
	asPos   Pos
	repeat  int // 0 means once

	then, onError, closed []*step
	hasError              bool // error is given, maybe as an empty list: failures are handled
	sourceOp              bool // the operation of a source ({read: ...}): its outcome settles a promise

	// Set by the checker.
	asBinding, iBinding, errBinding *binding
}

// source returns the Source that names the step in the loop's events: its kind, its value and
// its place. A timer's value is its delay as the loop runs it.
func (s *step) source() *Source {
	src := s.src
	if s.kind.delay != nil && !varyingDelay(s) {
		src = max(s.kind.delay(s).Truncate(time.Millisecond), time.Millisecond).String() // as the loop keeps it
	}
	return &Source{Kind: s.kind.name, Value: src, Pos: s.pos}
}

// An opSource names the tasks or the request that one run of a step makes. When the step's
// value has ${...} references, each run's Source holds the value as rendered for that run
// (read notes-3.txt, not read notes-${i}.txt), so that runs are told apart; otherwise every
// run shares s.source(), made once.
type opSource struct {
	s      *step
	static *Source // s.source(), when the value has no references
}

func newOpSource(s *step) opSource {
	if s.text != nil {
		if _, static := s.text.static(); !static {
			return opSource{s: s}
		}
	}
	return opSource{static: s.source()}
}

// with returns the source of a run whose value rendered as v.
func (l opSource) with(v string) *Source {
	if l.s == nil {
		return l.static
	}
	return &Source{Kind: l.s.kind.name, Value: v, Pos: l.s.pos}
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
	s := &step{kind: kindNamed(kindKey.Value), pos: p.pos(kindKey), idIndex: -1}
	s.src, s.valPos = kindVal.Value, p.pos(kindVal)
	s.kind.decode(p, s, kindVal)
	for _, e := range kv {
		k, v := e[0], e[1]
		key := s.kind.key(k.Value)
		switch {
		case k == kindKey:
		case k.Value == keyRepeat.name:
			s.repeat, _ = intValue(p, v, "repeat", 1, maxRepeat)
		case key != nil && key.common():
			decodeCommonKey(p, s, k, v)
		case key != nil:
			s.kind.decodeKey(p, s, k, v)
		case kindNamed(k.Value) != nil: // reported by stepKind
		default:
			keys := append(s.kind.keyNames(), keyRepeat.name)
			p.at(k, "unknown key %q in a %s step%s: %s takes %s", k.Value, s.kind.name, suggest(k.Value, keys),
				s.kind.name, strings.Join(keys, ", "))
		}
	}
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
			if other != k && kindNamed(k.Value).key(other.Value) != nil {
				kind = k
			}
		}
	}
	for _, k := range found {
		if k != kind && kindNamed(kind.Value).key(k.Value) == nil {
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

// decodeCommonKey decodes one of the keys that mean the same in every kind that takes them.
func decodeCommonKey(p *problems, s *step, k, v *yaml.Node) {
	switch k.Value {
	case "then":
		s.then = decodeSteps(p, v, "then")
	case "error":
		s.onError, s.hasError = decodeSteps(p, v, "error"), true
	case "closed":
		s.closed = decodeSteps(p, v, "closed")
	case "id":
		if name, ok := idName(v); ok {
			s.id, s.idPos = name, p.pos(v)
		} else {
			p.at(v, "id must be a name; got %s", describe(v))
		}
	case "as":
		switch {
		case v.Kind != yaml.ScalarNode || !isIdent(v.Value):
			p.at(v, "as must be a name (letters, digits, _); got %s", describe(v))
		case v.Value == "i" || v.Value == "error" || v.Value == "value":
			p.at(v, "as: %s: the name %s is reserved", v.Value, v.Value)
		default:
			s.as, s.asPos = v.Value, p.pos(v)
		}
	}
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

// duration decodes an integer number of milliseconds or a Go duration string.
func duration(p *problems, n *yaml.Node, what string) (time.Duration, bool) {
	if t, err := parseTemplate(n.Value); n.Kind == yaml.ScalarNode && n.Tag == "!!str" && err == nil && len(t.refs()) > 0 {
		p.at(n, "%s takes no ${...}: it is fixed when the file loads (%s read ${...} when the step runs); got %s", what, varyingKeys, describe(n))
		return 0, false
	}
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

// maxDuration bounds every duration in a file, so that sums of them cannot overflow.
const maxDuration = 24 * time.Hour

// decodeEmpty is the decode of a kind that takes no value.
func decodeEmpty(p *problems, s *step, v *yaml.Node) {
	if v.Tag != "!!null" {
		p.at(v, "%s takes no value (write `- %s:` and put its steps under then); got %s", s.kind.name, s.kind.name, describe(v))
	}
}

// decodeText decodes a value that is text with ${...}, into s.text; it reports whether it could.
func decodeText(p *problems, s *step, v *yaml.Node) bool {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		p.at(v, "%s must be %s; got %s", s.kind.name, s.kind.value, describe(v))
		return false
	}
	t, err := parseTemplate(v.Value)
	if err != nil {
		p.at(v, "%s", err)
		return false
	}
	s.text = t
	return true
}

// idName decodes an id: any text but the empty one. Its caller reports a value that is not one.
func idName(v *yaml.Node) (string, bool) {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || v.Value == "" {
		return "", false
	}
	return v.Value, true
}
