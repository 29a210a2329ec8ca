package harness

import (
	"fmt"
	"time"

	"github.com/looptest/looptest/internal/nodejs"
	"github.com/looptest/looptest/loop"
	"gopkg.in/yaml.v3"
)

var kindInterval = &kind{
	name: "interval", value: "duration", schema: templateDurationSchema, keys: []*key{keyThen, keyID, keyTimes, keyUnref}, node: "setInterval",
	summary: "runs then every duration, times times or until cleared; unref: true does not keep the loop alive",
	delay:   func(s *step) time.Duration { return s.arg.(*intervalArg).delay },
	clearJS: "clearInterval",
	needs:   always(nodejs.Timers),
	decode: func(p *problems, s *step, v *yaml.Node) {
		a := &intervalArg{}
		decodeDurationKey(p, s, "interval", v, &a.delay, &a.delayV)
		s.arg = a
	},
	decodeKey: func(p *problems, s *step, k, v *yaml.Node) { // times, unref
		a := s.arg.(*intervalArg)
		if k.Value == keyUnref.name {
			a.unref = decodeUnref(p, v)
			return
		}
		var ok bool
		if a.times, ok = intValue(p, v, "times", 1, maxRepeat); !ok {
			a.times = -1 // given, if wrong: the interval ends, as far as the checker is concerned
		}
	},
	check: func(c *checker, s *step) {
		c.later = append(c.later, func() {
			// An unref'd interval ends with the loop, once nothing else keeps it alive.
			if a := s.arg.(*intervalArg); a.times == 0 && !a.unref && (s.id == "" || !c.cleared[s.id]) {
				c.errorAt(s.pos, "interval never ends: give it times: N, or an id and a clear step for it, or unref: true")
			}
		})
	},
	compile: compileInterval,
	js:      jsInterval,
}

// intervalArg is an interval step's payload.
type intervalArg struct {
	delay  time.Duration
	delayV *varying // the period, when it holds ${...}: read each time the step runs
	times  int      // 0: until cleared
	unref  bool
}

var keyTimes = &key{"times", "Stops the interval after its Nth run. An interval needs times, or an id that a clear step names.", func() *schema { return intRange(1, maxRepeat) }}

func compileInterval(c *compiler, s *step) action {
	a := s.arg.(*intervalArg)
	then, d, dv, src, id, times, unref := c.fnBody(s, s.then), a.delay, a.delayV, s.source(), s.idIndex, a.times, a.unref
	tm := valueTiming(s)
	return func(r *runner, e *env) {
		d, ok := r.durationOf(s, d, dv, e)
		if !ok {
			return
		}
		var t *loop.Timer
		runs := 0
		t = r.loop.SetInterval(r.duration(tm, d), src, func() {
			r.cur = s
			then(r, e)
			if runs++; runs == times {
				r.loop.ClearTimer(t)
			}
			r.ran(s.pos)
		})
		if unref {
			r.loop.Unref(t)
		}
		if id >= 0 {
			r.handles[id] = t
		}
	}
}

// jsInterval writes a setInterval; with times, a counter clears it after its last run.
func jsInterval(g *jsGen, s *step) {
	a := s.arg.(*intervalArg)
	delay := g.millis(s, a.delay, a.delayV)
	if a.times == 0 {
		g.w.CallThen(g.assignID(s)+"setInterval", unrefJS(a.unref), g.body("", s.then), delay)
		return
	}
	counted := func(w *nodejs.Writer) {
		w.Line("let runs = 0;")
		body := g.body("", s.then).Then(fmt.Sprintf("if (++runs === %d) clearInterval(interval);", a.times))
		w.CallThen("const interval = setInterval", unrefJS(a.unref), body, delay)
		if s.idIndex >= 0 {
			w.Line("%s = interval;", idVar(s.idIndex, s.id))
		}
	}
	if g.alone { // the body of a repeat's loop: its locals are its own already
		counted(g.w)
		return
	}
	g.w.Block("", counted)
}
