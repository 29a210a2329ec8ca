package harness

import (
	"fmt"
	"time"

	"github.com/looptest/looptest/internal/nodejs"
	"github.com/looptest/looptest/loop"
	"gopkg.in/yaml.v3"
)

var kindInterval = &kind{
	name: "interval", value: "duration", schema: durationSchema, keys: []*key{keyThen, keyID, keyTimes}, node: "setInterval",
	summary: "runs then every duration, times times or until cleared",
	delay:   func(s *step) time.Duration { return s.arg.(*intervalArg).delay },
	clearJS: "clearInterval",
	needs:   always(nodejs.Timers),
	decode: func(p *problems, s *step, v *yaml.Node) {
		d, _ := duration(p, v, "interval")
		s.arg = &intervalArg{delay: d}
	},
	decodeKey: func(p *problems, s *step, k, v *yaml.Node) { // times
		a := s.arg.(*intervalArg)
		var ok bool
		if a.times, ok = intValue(p, v, "times", 1, maxRepeat); !ok {
			a.times = -1 // given, if wrong: the interval ends, as far as the checker is concerned
		}
	},
	check: func(c *checker, s *step) {
		c.later = append(c.later, func() {
			if s.arg.(*intervalArg).times == 0 && (s.id == "" || !c.cleared[s.id]) {
				c.errorAt(s.pos, "interval never ends: give it times: N, or an id and a clear step for it")
			}
		})
	},
	compile: compileInterval,
	js:      jsInterval,
}

// intervalArg is an interval step's payload.
type intervalArg struct {
	delay time.Duration
	times int // 0: until cleared
}

var keyTimes = &key{"times", "Stops the interval after its Nth run. An interval needs times, or an id that a clear step names.", func() *schema { return intRange(1, maxRepeat) }}

func compileInterval(c *compiler, s *step) action {
	a := s.arg.(*intervalArg)
	then, d, src, id, times := c.fnBody(s, s.then), a.delay, s.source(), s.idIndex, a.times
	tm := valueTiming(s)
	return func(r *runner, e *env) {
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
		if id >= 0 {
			r.handles[id] = t
		}
	}
}

// jsInterval writes a setInterval; with times, a counter clears it after its last run.
func jsInterval(g *jsGen, s *step) {
	a := s.arg.(*intervalArg)
	delay := nodejs.Expr(nodejs.Millis(a.delay))
	if a.times == 0 {
		g.w.Call(g.assignID(s)+"setInterval", g.body("", s.then), delay)
		return
	}
	counted := func(w *nodejs.Writer) {
		w.Line("let runs = 0;")
		body := g.body("", s.then).Then(fmt.Sprintf("if (++runs === %d) clearInterval(interval);", a.times))
		w.Call("const interval = setInterval", body, delay)
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
