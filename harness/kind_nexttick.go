package harness

var kindNextTick = &kind{
	name: "nextTick", value: "empty", schema: emptySchema, keys: []*key{keyThen}, node: "process.nextTick", then: thenSoon,
	summary: "runs then as soon as the current callback returns",
	decode:  decodeEmpty,
	compile: func(c *compiler, s *step) action {
		cb, src := c.callback(s, c.fnBody(s, s.then)), s.source()
		return func(r *runner, e *env) { r.loop.NextTick(src, cb(r, e)) }
	},
	js: func(g *jsGen, s *step) { g.w.Call("process.nextTick", g.body("", s.then)) },
}
