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
		cost, ok := r.durationOf(s, cost, costV, e)
		if !ok {
			return
		}
		j := &encryptJob{r: r, e: e, out: out, t: t, n: lit}
		if t != nil {
			j.arg = t.render(e)
		}
		j.Task = loop.Task{Source: src.with(j.arg), Cost: r.duration(tm, cost), Job: j}
		r.loop.Submit(&j.Task)
	}
}

// encryptJob is one encrypt's task and its callback, in one object.
type encryptJob struct {
	loop.Task
	r   *runner
	e   *env
	out func(r *runner, e *env, v value, err error)
	t   *template // the value's template, or nil
	arg string    // the value as rendered, with t
	n   int       // the value, without t
	fib int64     // the result
}

// Work computes the fibonacci number, on a worker thread.
func (j *encryptJob) Work() error {
	n := j.n
	if j.t != nil {
		var err error
		if n, err = strconv.Atoi(j.arg); err != nil || n < 0 || n > maxEncrypt {
			return fmt.Errorf("encrypt %q: expected an integer from 0 to %d", j.arg, maxEncrypt)
		}
	}
	j.fib = fibonacci(n)
	return nil
}

// Done runs the step's outcome, on the loop thread.
func (j *encryptJob) Done(err error) { j.out(j.r, j.e, value{n: j.fib}, err) }

// fibonacci returns fib(n), with fib(0) = 0 and fib(1) = 1.
func fibonacci(n int) int64 {
	a, b := int64(0), int64(1)
	for range n {
		a, b = b, a+b
	}
	return a
}
