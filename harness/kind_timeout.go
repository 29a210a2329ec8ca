package harness

import (
	"time"

	"github.com/looptest/looptest/internal/nodejs"
	"gopkg.in/yaml.v3"
)

var kindTimeout = &kind{
	name: "timeout", value: "duration", schema: templateDurationSchema, keys: []*key{keyThen, keyID, keyUnref}, node: "setTimeout",
	summary: "runs then once, after the duration; unref: true does not keep the loop alive",
	delay:   func(s *step) time.Duration { return s.arg.(*timeoutArg).delay },
	clearJS: "clearTimeout",
	needs:   always(nodejs.Timers),
	decode: func(p *problems, s *step, v *yaml.Node) {
		a := &timeoutArg{}
		decodeDurationKey(p, s, "timeout", v, &a.delay, &a.delayV)
		s.arg = a
	},
	decodeKey: func(p *problems, s *step, k, v *yaml.Node) { // unref
		s.arg.(*timeoutArg).unref = decodeUnref(p, v)
	},
	compile: compileTimeout,
	js: func(g *jsGen, s *step) {
		a := s.arg.(*timeoutArg)
		g.w.CallThen(g.assignID(s)+"setTimeout", unrefJS(a.unref), g.body("", s.then), g.millis(s, a.delay, a.delayV))
	},
}

// timeoutArg is a timeout step's payload.
type timeoutArg struct {
	delay  time.Duration
	delayV *varying // the delay, when it holds ${...}: read each time the step runs
	unref  bool
}

// keyUnref is the key of the timers that may be unref'd.
var keyUnref = &key{"unref", "true: the timer does not keep the loop alive (timer.unref()): it runs while something else keeps the loop running, and the loop ends when only such timers are left. An unref'd interval needs no times nor clear.", func() *schema {
	return &schema{Type: "boolean", Default: false}
}}

// decodeUnref reads the value of unref.
func decodeUnref(p *problems, v *yaml.Node) bool {
	var b bool
	if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" || v.Decode(&b) != nil {
		p.at(v, "unref must be true or false; got %s", describe(v))
	}
	return b
}

// unrefJS is what follows a timer's call in the Node.js program: .unref() for an unref'd one.
func unrefJS(unref bool) string {
	if unref {
		return ".unref()"
	}
	return ""
}

func compileTimeout(c *compiler, s *step) action {
	a := s.arg.(*timeoutArg)
	cb, d, dv, unref, src, id := c.callback(s, c.fnBody(s, s.then)), a.delay, a.delayV, a.unref, s.source(), s.idIndex
	tm := valueTiming(s)
	return func(r *runner, e *env) {
		d, ok := r.durationOf(s, d, dv, e)
		if !ok {
			return
		}
		if id < 0 && !unref { // nothing can clear it: no handle, and its record is reused
			r.loop.QueueTimeout(r.duration(tm, d), src, cb(r, e))
			return
		}
		t := r.loop.SetTimeout(r.duration(tm, d), src, cb(r, e))
		if unref {
			r.loop.Unref(t)
		}
		if id >= 0 {
			r.handles[id] = t
		}
	}
}
