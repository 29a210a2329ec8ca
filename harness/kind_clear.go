package harness

import (
	"strings"

	"github.com/looptest/looptest/loop"
	"gopkg.in/yaml.v3"
)

// A clear step's payload is its step.id, the id it cancels; the checker finds its idIndex.
var kindClear = &kind{
	name: "clear", value: "id", schema: keyID.schema, node: "clearTimeout / clearInterval / clearImmediate",
	summary: "cancels the timer, interval or immediate with that id; one that already fired or was cleared is left alone",
	decode:  decodeIDRef("clear", clearable),
	check: func(c *checker, s *step) {
		if s.id != "" {
			c.cleared[s.id] = true
		}
		checkIDRef(c, s, clearable, "cleared")
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

// clearable names what a clear step's id may name.
var clearable = idTargets{"a timeout, interval or immediate", func(k *kind) bool { return k.clearJS != "" }}

// idTargets is what the id of a step that names another step (clear, refresh) may name: the
// kinds that takes, and how to say them.
type idTargets struct {
	what  string // "a timeout or interval"
	takes func(*kind) bool
}

// decodeIDRef returns the decode of a step whose value is the id of another step, kept in
// step.id for checkIDRef.
func decodeIDRef(name string, t idTargets) func(p *problems, s *step, v *yaml.Node) {
	return func(p *problems, s *step, v *yaml.Node) {
		if id, ok := idName(v); ok {
			s.id, s.idPos = id, p.pos(v)
		} else {
			p.at(v, "%s must name the id of %s; got %s", name, t.what, describe(v))
		}
	}
}

// checkIDRef finds, once the whole file is read, the step that s's id names, and reports one
// that is not there or that t does not take ("cannot be DONE").
func checkIDRef(c *checker, s *step, t idTargets, done string) {
	if s.id == "" {
		return // its value was reported as it was decoded
	}
	name, what := s.kind.name, strings.TrimPrefix(strings.TrimPrefix(t.what, "an "), "a ")
	c.later = append(c.later, func() {
		target, ok := c.ids[s.id]
		if !ok {
			c.errorAt(s.idPos, "%s %q: no %s has id %q", name, s.id, what, s.id)
			return
		}
		if !t.takes(target.kind) {
			c.errorAt(s.idPos, "%s %q: %q is the id of %s step, which cannot be %s: %s names %s", name, s.id, s.id, target.kind.an(), done, name, t.what)
			return
		}
		s.idIndex = target.idIndex
	})
}
