package harness

import (
	"github.com/looptest/looptest/loop"
	"gopkg.in/yaml.v3"
)

// A clear step's payload is its step.id, the id it cancels; the checker finds its idIndex.
var kindClear = &kind{
	name: "clear", value: "id", schema: keyID.schema, node: "clearTimeout / clearInterval / clearImmediate",
	summary: "cancels the timer, interval or immediate with that id; one that already fired or was cleared is left alone",
	decode: func(p *problems, s *step, v *yaml.Node) {
		if name, ok := idName(v); ok {
			s.id, s.idPos = name, p.pos(v)
		} else {
			p.at(v, "clear must name the id of a timeout, interval or immediate; got %s", describe(v))
		}
	},
	check: func(c *checker, s *step) {
		if s.id == "" {
			return // its value was reported as it was decoded
		}
		c.cleared[s.id] = true
		c.later = append(c.later, func() {
			target, ok := c.ids[s.id]
			if !ok {
				c.errorAt(s.idPos, "clear %q: no timeout, interval or immediate has id %q", s.id, s.id)
				return
			}
			if target.kind.clearJS == "" {
				c.errorAt(s.idPos, "clear %q: %q is the id of %s step, which cannot be cleared: clear names a timeout, interval or immediate", s.id, s.id, target.kind.an())
				return
			}
			s.idIndex = target.idIndex
		})
	},
	compile: func(c *compiler, s *step) action {
		id := s.idIndex
		return func(r *runner, e *env) {
			switch h := r.handles[id].(type) {
			case *loop.Timer:
				r.loop.ClearTimer(h)
			case *loop.Immediate:
				r.loop.ClearImmediate(h)
			}
		}
	},
	js: func(g *jsGen, s *step) {
		g.w.Line("%s(%s);", g.idKind[s.idIndex].clearJS, idVar(s.idIndex, s.id))
	},
}
