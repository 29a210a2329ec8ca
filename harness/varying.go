package harness

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// A varying is the value of a key that holds ${...} references: cost, an http step's delay and
// timeout, respond's status and body (SPEC §1), so that a repeat can stagger its operations
// (delay: ${i}0ms). Its text is rendered each time its step runs, then read as the key's value;
// a result that is not one ends the run at the step (StepError). A value without ${...} is
// decoded once, at load, into its kind's payload, and has no varying: a run pays nothing for it.
type varying struct {
	key string // cost, delay, timeout, status or body
	t   *template
	pos Pos // where the value is
}

// varyingKeys names the keys whose values may hold ${...}, for help and messages.
const varyingKeys = "a timeout's or an interval's value, cost, delay, an http step's timeout, and respond's status and body"

// decodeVarying returns the varying of v, a key's value, when it is text with ${...}, and adds it
// to s's, for the checker and the compiler; a template that does not parse is reported, and
// gives (nil, true). For any other value it returns (nil, false): the kind decodes it as a
// fixed value.
func decodeVarying(p *problems, s *step, key string, v *yaml.Node) (*varying, bool) {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!str" || !strings.Contains(v.Value, "${") {
		return nil, false
	}
	t, err := parseTemplate(v.Value)
	if err != nil {
		p.at(v, "%s: %s", key, err)
		return nil, true
	}
	if _, static := t.static(); static { // $${: a literal, which the kind reads as it is
		return nil, false
	}
	vr := &varying{key: key, t: t, pos: p.pos(v)}
	s.vary = append(s.vary, vr)
	return vr, true
}

// decodeDurationKey decodes a duration key's value: a fixed one into *d, or one with ${...}
// into *vr.
func decodeDurationKey(p *problems, s *step, key string, v *yaml.Node, d *time.Duration, vr **varying) {
	if dv, ok := decodeVarying(p, s, key, v); ok {
		*vr = dv
		return
	}
	*d, _ = duration(p, v, key)
}

// text renders the value for a run with e in scope.
func (vr *varying) text(e *env) string { return vr.t.render(e) }

// duration returns the value as a duration, read as a file's durations are: an integer number
// of milliseconds, or Go's syntax (500ms, 1.5s); not negative, at most 24h.
func (vr *varying) duration(e *env) (time.Duration, error) {
	s := vr.text(e)
	d, problem := parseDurationText(s)
	if problem != "" {
		return 0, fmt.Errorf("%s %q: %s", vr.key, s, problem)
	}
	return d, nil
}

// parseDurationText reads the text of a duration, or says what is wrong with it.
func parseDurationText(s string) (time.Duration, string) {
	var d time.Duration
	if isInteger(s) {
		ms, err := strconv.ParseInt(s, 10, 64)
		switch {
		case err != nil && strings.HasPrefix(s, "-"), ms < 0:
			return 0, "must not be negative"
		case err != nil, ms > int64(maxDuration/time.Millisecond):
			return 0, "must be at most 24h"
		}
		d = time.Duration(ms) * time.Millisecond
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, "expected a duration: an integer number of milliseconds, or Go's syntax such as 500ms or 1.5s"
		}
	}
	switch {
	case d < 0:
		return 0, "must not be negative"
	case d > maxDuration:
		return 0, "must be at most 24h"
	}
	return d, ""
}

// isInteger reports whether s is an optional sign and decimal digits, as strconv.Atoi reads.
func isInteger(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// integer returns the value as an integer from lo to hi.
func (vr *varying) integer(e *env, lo, hi int) (int, error) {
	s := vr.text(e)
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s %q: expected an integer from %d to %d", vr.key, s, lo, hi)
	}
	return n, nil
}

// durationOf returns a duration of s for this run: d, fixed at load, or, when the key or value
// holds ${...} (dv), the value read now; ok is false when that failed and the run has ended at s.
func (r *runner) durationOf(s *step, d time.Duration, dv *varying, e *env) (time.Duration, bool) {
	if dv == nil {
		return d, true
	}
	d, err := dv.duration(e)
	if err != nil {
		r.failAt(s, err)
		return 0, false
	}
	return d, true
}

// varyingDelay reports whether s is a timer whose value holds ${...}, so that its delay is
// known only when it runs.
func varyingDelay(s *step) bool {
	switch a := s.arg.(type) {
	case *timeoutArg:
		return a.delayV != nil
	case *intervalArg:
		return a.delayV != nil
	}
	return false
}

// failAt ends the run at s, whose varying value could not be read.
func (r *runner) failAt(s *step, err error) {
	r.loop.Fail(&StepError{Pos: s.pos, Kind: s.kind.name, Err: err})
}
