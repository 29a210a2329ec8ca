package harness

import (
	"time"

	"github.com/looptest/looptest/internal/nodejs"
	"gopkg.in/yaml.v3"
)

var kindBlock = &kind{
	name: "block", value: "duration", schema: durationSchema, node: "a busy loop",
	summary: "holds the loop thread for the duration; under the virtual clock, time moves by it",
	decode: func(p *problems, s *step, v *yaml.Node) {
		d, _ := duration(p, v, "block")
		s.arg = &blockArg{d}
	},
	compile: func(c *compiler, s *step) action {
		d, tm := s.arg.(*blockArg).d, valueTiming(s)
		return func(r *runner, e *env) { r.loop.Block(r.duration(tm, d)) }
	},
	js: func(g *jsGen, s *step) { g.w.Line("block(%s);", nodejs.Millis(s.arg.(*blockArg).d)) },
}

// blockArg is a block step's payload: how long it holds the loop thread.
type blockArg struct{ d time.Duration }
