package harness

var kindMicrotask = &kind{
	name: "microtask", value: "empty", schema: emptySchema, keys: []*key{keyThen}, node: "queueMicrotask", then: thenSoon,
	summary: "runs then once the nextTick queue is empty, after the current callback",
	decode:  decodeEmpty,
	compile: func(c *compiler, s *step) action {
		cb, src := c.callback(s, c.fnBody(s, s.then)), s.source()
		return func(r *runner, e *env) { r.loop.QueueMicrotask(src, cb(r, e)) }
	},
	js: func(g *jsGen, s *step) { g.w.Call("queueMicrotask", g.body("", s.then)) },
}
