package harness

import (
	"time"

	"github.com/looptest/looptest/internal/nodejs"
	"gopkg.in/yaml.v3"
)

var kindTimeout = &kind{
	name: "timeout", value: "duration", schema: durationSchema, keys: []*key{keyThen, keyID}, node: "setTimeout",
	summary: "runs then once, after the duration",
	delay:   func(s *step) time.Duration { return s.arg.(*timeoutArg).delay },
	clearJS: "clearTimeout",
	needs:   always(nodejs.Timers),
	decode: func(p *problems, s *step, v *yaml.Node) {
		d, _ := duration(p, v, "timeout")
		s.arg = &timeoutArg{d}
	},
	compile: compileTimeout,
	js: func(g *jsGen, s *step) {
		g.w.Call(g.assignID(s)+"setTimeout", g.body("", s.then), nodejs.Expr(nodejs.Millis(s.arg.(*timeoutArg).delay)))
	},
}

// timeoutArg is a timeout step's payload.
type timeoutArg struct{ delay time.Duration }

func compileTimeout(c *compiler, s *step) action {
	cb, d, src, id := c.callback(s, c.fnBody(s, s.then)), s.arg.(*timeoutArg).delay, s.source(), s.idIndex
	tm := valueTiming(s)
	return func(r *runner, e *env) {
		if id < 0 { // nothing can clear it: no handle, and its record is reused
			r.loop.QueueTimeout(r.duration(tm, d), src, cb(r, e))
			return
		}
		r.handles[id] = r.loop.SetTimeout(r.duration(tm, d), src, cb(r, e))
	}
}
