package harness

var kindImmediate = &kind{
	name: "immediate", value: "empty", schema: emptySchema, keys: []*key{keyThen, keyID}, node: "setImmediate",
	then: thenCheck, clearJS: "clearImmediate",
	summary: "runs then in the next check phase",
	decode:  decodeEmpty,
	compile: func(c *compiler, s *step) action {
		cb, src, id := c.callback(s, c.fnBody(s, s.then)), s.source(), s.idIndex
		return func(r *runner, e *env) {
			if id < 0 { // nothing can clear it: no handle, and its record is reused
				r.loop.QueueImmediate(src, cb(r, e))
				return
			}
			r.handles[id] = r.loop.SetImmediate(src, cb(r, e))
		}
	},
	js: func(g *jsGen, s *step) { g.w.Call(g.assignID(s)+"setImmediate", g.body("", s.then)) },
}
