package harness

import (
	"time"

	"github.com/looptest/looptest/internal/nodejs"
	"github.com/looptest/looptest/loop"
	"gopkg.in/yaml.v3"
)

var kindRead = &kind{
	name: "read", value: "a path in the sandbox", keys: []string{"cost", "as", "then", "error"}, node: "fs.readFile",
	summary: "reads the file from the sandbox on the pool, holding a worker for cost; as binds its text",
	result:  typeString,
	decode: func(p *problems, s *step, v *yaml.Node) {
		s.arg = &readArg{cost: defaultCost}
		if !decodeText(p, s, v) {
			return
		}
		if lit, ok := s.text.static(); ok {
			if msg := checkRelPath(lit); msg != "" {
				p.at(v, "read %q: %s", lit, msg)
			}
		}
	},
	decodeKey: func(p *problems, s *step, k, v *yaml.Node) { // cost
		s.arg.(*readArg).cost, _ = duration(p, v, "cost")
	},
	compile: compileRead,
	js: func(g *jsGen, s *step) {
		g.needs.pool, g.needs.read = true, true
		cost := nodejs.Expr(nodejs.Millis(s.arg.(*readArg).cost))
		g.w.Call("read", nodejs.Expr(g.template(s.text)), cost, g.then(s), g.onError(s))
	},
}

// defaultCost is how long a pool task holds its worker when its step gives no cost.
const defaultCost = time.Millisecond

// readArg is a read step's payload; the path is the step's text.
type readArg struct{ cost time.Duration }

func compileRead(c *compiler, s *step) action {
	out, label, cost, t := c.outcome(s), s.label(), s.arg.(*readArg).cost, s.text
	tm := Timing{Step: s.pos, Key: "cost"}
	return func(r *runner, e *env) {
		name := t.render(e)
		task := &loop.Task{Label: label, Cost: r.duration(tm, cost), Work: func() (any, error) { return r.sandbox.readFile(name) }}
		task.Done = func(res any, err error) {
			text, _ := res.(string)
			out(r, e, value{s: text}, err)
		}
		r.loop.Submit(task)
	}
}
