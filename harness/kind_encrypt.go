package harness

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/looptest/looptest/internal/nodejs"
	"github.com/looptest/looptest/loop"
	"gopkg.in/yaml.v3"
)

var kindEncrypt = &kind{
	name: "encrypt", value: fmt.Sprintf("an integer from 0 to %d, or ${...}", maxEncrypt), schema: encryptSchema, template: true,
	keys:    []*key{keyCost, keyAs, keyThen, keyError},
	node:    "a CPU job on the threadpool",
	summary: "computes fibonacci(n) on the pool, holding a worker for cost; as binds the integer result",
	result:  typeInt,
	needs:   always(nodejs.Pool),
	decode: func(p *problems, s *step, v *yaml.Node) {
		a := &encryptArg{cost: defaultCost}
		s.arg = a
		if v.Kind == yaml.ScalarNode && v.Tag == "!!str" && strings.Contains(v.Value, "${") {
			decodeText(p, s, v)
			return
		}
		a.n, _ = intValue(p, v, "encrypt", 0, maxEncrypt)
	},
	decodeKey: func(p *problems, s *step, k, v *yaml.Node) { // cost
		a := s.arg.(*encryptArg)
		decodeDurationKey(p, s, "cost", v, &a.cost, &a.costV)
	},
	compile: compileEncrypt,
	js: func(g *jsGen, s *step) {
		a := s.arg.(*encryptArg)
		n := strconv.Itoa(a.n)
		if s.text != nil {
			n = g.template(s.text)
		}
		g.w.Call("encrypt", nodejs.Expr(n), g.millis(s, a.cost, a.costV), g.then(s), g.onError(s))
	},
}

func encryptSchema() *schema {
	return &schema{Type: []string{"integer", "string"}, Minimum: ptr(0), Maximum: ptr(maxEncrypt), Pattern: templatePattern,
		ErrorMessage: fmt.Sprintf("An integer from 0 to %d, or a ${...} reference.", maxEncrypt)}
}

// encryptArg is an encrypt step's payload: n, when the step's text is nil, and the cost.
type encryptArg struct {
	n     int
	cost  time.Duration
	costV *varying // a cost with ${...}, read when the step runs instead of cost
}

func compileEncrypt(c *compiler, s *step) action {
	a := s.arg.(*encryptArg)
	out, src, cost, costV, t, lit := c.outcome(s), newOpSource(s), a.cost, a.costV, s.text, a.n
	tm := Timing{Step: s.pos, Key: "cost"}
	return func(r *runner, e *env) {
		cost := cost
		if costV != nil {
			var err error
			if cost, err = costV.duration(e); err != nil {
				r.failAt(s, err)
				return
			}
		}
		arg := ""
		if t != nil {
			arg = t.render(e)
		}
		task := &loop.Task{Source: src.with(arg), Cost: r.duration(tm, cost), Work: func() (any, error) {
			n := lit
			if t != nil {
				var err error
				if n, err = strconv.Atoi(arg); err != nil || n < 0 || n > maxEncrypt {
					return nil, fmt.Errorf("encrypt %q: expected an integer from 0 to %d", arg, maxEncrypt)
				}
			}
			return fibonacci(n), nil
		}}
		task.Done = func(res any, err error) {
			n, _ := res.(int64)
			out(r, e, value{n: n}, err)
		}
		r.loop.Submit(task)
	}
}

// fibonacci returns fib(n), with fib(0) = 0 and fib(1) = 1.
func fibonacci(n int) int64 {
	a, b := int64(0), int64(1)
	for range n {
		a, b = b, a+b
	}
	return a
}
