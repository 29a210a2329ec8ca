package harness

var kindImmediate = &kind{
	name: "immediate", value: "empty", schema: emptySchema, keys: []*key{keyThen, keyID}, node: "setImmediate",
	then: thenCheck, clearJS: "clearImmediate",
	summary: "runs then in the next check phase",
	decode:  decodeEmpty,
	compile: func(c *compiler, s *step) action {
		cb, src, id := c.callback(s, c.fnBody(s, s.then)), s.source(), s.idIndex
		return func(r *runner, e *env) {
			im := r.loop.SetImmediate(src, cb(r, e))
			if id >= 0 {
				r.handles[id] = im
			}
		}
	},
	js: func(g *jsGen, s *step) { g.w.Call(g.assignID(s)+"setImmediate", g.body("", s.then)) },
}
