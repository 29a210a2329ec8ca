package harness

import "github.com/looptest/looptest/loop"

// A refresh step's payload is its step.id, the id of the timer it refreshes; the checker finds
// its idIndex.
var kindRefresh = &kind{
	name: "refresh", value: "id", schema: keyID.schema, node: "timer.refresh()",
	summary: "starts the timeout or interval with that id afresh from the loop time now, at the back of its delay's list; a timeout that fired runs again, a cleared one is left alone",
	decode:  decodeIDRef("refresh", refreshable),
	check:   func(c *checker, s *step) { checkIDRef(c, s, refreshable, "refreshed") },
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

// refreshable names what a refresh step's id may name: a timer.
var refreshable = idTargets{"a timeout or interval", func(k *kind) bool { return k.delay != nil }}
