package harness

import (
	"github.com/looptest/looptest/loop"
	"gopkg.in/yaml.v3"
)

// A refresh step's payload is its step.id, the id of the timer it refreshes; the checker finds
// its idIndex.
var kindRefresh = &kind{
	name: "refresh", value: "id", schema: keyID.schema, node: "timer.refresh()",
	summary: "starts the timeout or interval with that id afresh from the loop time now, at the back of its delay's list; a timeout that fired runs again, a cleared one is left alone",
	decode: func(p *problems, s *step, v *yaml.Node) {
		if name, ok := idName(v); ok {
			s.id, s.idPos = name, p.pos(v)
		} else {
			p.at(v, "refresh must name the id of a timeout or interval; got %s", describe(v))
		}
	},
	check: func(c *checker, s *step) {
		if s.id == "" {
			return // its value was reported as it was decoded
		}
		c.later = append(c.later, func() {
			target, ok := c.ids[s.id]
			if !ok {
				c.errorAt(s.idPos, "refresh %q: no timeout or interval has id %q", s.id, s.id)
				return
			}
			if target.kind.delay == nil {
				c.errorAt(s.idPos, "refresh %q: %q is the id of %s step, which cannot be refreshed: refresh names a timeout or interval", s.id, s.id, target.kind.an())
				return
			}
			s.idIndex = target.idIndex
		})
	},
	compile: func(c *compiler, s *step) action {
		id := s.idIndex
		return func(r *runner, e *env) {
			if t, ok := r.handles[id].(*loop.Timer); ok {
				r.loop.Refresh(t) // not armed yet: nothing to refresh, as in JavaScript
			}
		}
	},
	js: func(g *jsGen, s *step) {
		g.w.Line("%s?.refresh();", idVar(s.idIndex, s.id))
	},
}
