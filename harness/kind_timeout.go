package harness

import (
	"time"

	"github.com/looptest/looptest/internal/nodejs"
	"gopkg.in/yaml.v3"
)

var kindTimeout = &kind{
	name: "timeout", value: "duration", keys: []string{"then", "id"}, node: "setTimeout",
	summary: "runs then once, after the duration",
	timer:   true,
	decode: func(p *problems, s *step, v *yaml.Node) {
		d, _ := duration(p, v, "timeout")
		s.arg = &timeoutArg{d}
	},
	compile: compileTimeout,
	js: func(g *jsGen, s *step) {
		g.needs.timers = true
		g.w.Call(g.assignID(s)+"setTimeout", g.body("", s.then), nodejs.Expr(nodejs.Millis(s.arg.(*timeoutArg).delay)))
	},
}

// timeoutArg is a timeout step's payload.
type timeoutArg struct{ delay time.Duration }

func (a *timeoutArg) timerDelay() time.Duration { return a.delay }

func compileTimeout(c *compiler, s *step) action {
	cb, d, src, id := c.callback(s, c.list(s.then)), s.arg.(*timeoutArg).delay, s.source(), s.idIndex
	tm := Timing{Step: s.pos, Key: "timeout", Timer: true}
	return func(r *runner, e *env) {
		t := r.loop.SetTimeout(r.duration(tm, d), src, cb(r, e))
		if id >= 0 {
			r.handles[id] = t
		}
	}
}
