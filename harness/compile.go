package harness

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/looptest/looptest/internal/delay"
	"github.com/looptest/looptest/loop"
)

// An action is a compiled step, or list of steps: it runs them in the runner, with the values in
// scope in e.
type action func(r *runner, e *env)

// compiler turns checked steps into actions. Its scope holds the bindings that get a frame at run
// time, the used ones, innermost first, so that each reference knows how far up its value is.
type compiler struct {
	sc    *scope
	slots *int // callback slots handed out so far, shared by every compiler of one program
}

func newCompiler() *compiler { return &compiler{slots: new(int)} }

// with returns a compiler whose scope has b, if b gets a frame.
func (c *compiler) with(b *binding) *compiler {
	if b == nil || !b.used {
		return c
	}
	return &compiler{sc: c.sc.with(b), slots: c.slots}
}

// callback returns a function that makes the loop callback running then in e. The callback is
// kept per step: a step that runs again with the same values in scope (repeat, without ${i})
// hands the loop the same function instead of a new closure each time.
// The callback notes that s's callback runs, so that a panic in it is reported at s.
func (c *compiler) callback(s *step, then action) func(r *runner, e *env) func() {
	slot := *c.slots
	*c.slots++
	return func(r *runner, e *env) func() {
		m := &r.callbacks[slot]
		if m.fn == nil || m.e != e {
			m.e, m.fn = e, func() { r.cur = s; then(r, e) }
		}
		return m.fn
	}
}

func (c *compiler) depth(b *binding) int {
	d := 0
	for sc := c.sc; sc.b != b; sc = sc.up {
		d++
	}
	return d
}

func (c *compiler) list(steps []*step) action {
	actions := make([]action, len(steps))
	for i, s := range steps {
		actions[i] = c.step(s)
	}
	switch len(actions) {
	case 0:
		return func(*runner, *env) {}
	case 1:
		return actions[0]
	}
	return func(r *runner, e *env) {
		for _, a := range actions {
			a(r, e)
		}
	}
}

// step compiles one step, with its repeat around it.
func (c *compiler) step(s *step) action {
	inner := c.with(s.iBinding)
	if s.text != nil {
		for _, ref := range s.text.refs() {
			ref.depth = inner.depth(ref.b)
		}
	}
	a := s.kind.compile(inner, s)
	if s.repeat == 0 {
		return a
	}
	n, frame := s.repeat, s.iBinding.used
	return func(r *runner, e *env) {
		for i := range n {
			if frame {
				a(r, &env{up: e, v: value{n: int64(i)}})
			} else {
				a(r, e)
			}
		}
	}
}

// outcome returns what runs when a step's operation completes: then with the result bound to
// as, or the error steps with ${error}, or, with no error steps, the failure of the run.
func (c *compiler) outcome(s *step) func(r *runner, e *env, v value, err error) {
	then := c.with(s.asBinding).list(s.then)
	onError := c.with(s.errBinding).list(s.onError)
	bindAs := s.asBinding != nil && s.asBinding.used
	bindErr := s.errBinding != nil && s.errBinding.used
	return func(r *runner, e *env, v value, err error) {
		r.cur = s
		var pe *loop.PanicError
		switch {
		case err == nil:
			if bindAs {
				e = &env{up: e, v: v}
			}
			then(r, e)
		case errors.As(err, &pe): // looptest's own bug: no error steps can handle it
			r.loop.Fail(&StepError{Pos: s.pos, Kind: s.kind.name, Err: fmt.Errorf("%v", pe.Value), Panicked: true, Stack: pe.Stack})
		case s.hasError:
			if bindErr {
				e = &env{up: e, v: value{s: err.Error()}}
			}
			onError(r, e)
		default:
			r.loop.Fail(&StepError{Pos: s.pos, Kind: s.kind.name, Err: err})
		}
	}
}

func compileLog(c *compiler, s *step) action {
	t := s.text
	if text, ok := t.static(); ok {
		text = strings.TrimSuffix(text, "\n")
		return func(r *runner, e *env) { r.log(text) }
	}
	return func(r *runner, e *env) { r.log(strings.TrimSuffix(t.render(e), "\n")) }
}

func compileBlock(c *compiler, s *step) action {
	d, pos := s.dur, s.pos
	return func(r *runner, e *env) { r.loop.Block(r.duration(pos, "block", d)) }
}

func compileTimeout(c *compiler, s *step) action {
	cb, d, label, id, pos := c.callback(s, c.list(s.then)), s.dur, s.label(), s.idIndex, s.pos
	return func(r *runner, e *env) {
		t := r.loop.SetTimeout(r.duration(pos, "timeout", d), label, cb(r, e))
		if id >= 0 {
			r.handles[id] = t
		}
	}
}

func compileInterval(c *compiler, s *step) action {
	then, d, label, id, times, pos := c.list(s.then), s.dur, s.label(), s.idIndex, s.times, s.pos
	return func(r *runner, e *env) {
		var t *loop.Timer
		runs := 0
		t = r.loop.SetInterval(r.duration(pos, "interval", d), label, func() {
			r.cur = s
			then(r, e)
			if runs++; runs == times {
				r.loop.ClearTimer(t)
			}
		})
		if id >= 0 {
			r.handles[id] = t
		}
	}
}

func compileImmediate(c *compiler, s *step) action {
	cb, label, id := c.callback(s, c.list(s.then)), s.label(), s.idIndex
	return func(r *runner, e *env) {
		im := r.loop.SetImmediate(label, cb(r, e))
		if id >= 0 {
			r.handles[id] = im
		}
	}
}

func compileNextTick(c *compiler, s *step) action {
	cb, label := c.callback(s, c.list(s.then)), s.label()
	return func(r *runner, e *env) { r.loop.NextTick(label, cb(r, e)) }
}

func compileMicrotask(c *compiler, s *step) action {
	cb, label := c.callback(s, c.list(s.then)), s.label()
	return func(r *runner, e *env) { r.loop.QueueMicrotask(label, cb(r, e)) }
}

func compileClear(c *compiler, s *step) action {
	id := s.idIndex
	return func(r *runner, e *env) {
		switch h := r.handles[id].(type) {
		case *loop.Timer:
			r.loop.ClearTimer(h)
		case *loop.Immediate:
			r.loop.ClearImmediate(h)
		}
	}
}

func compileRead(c *compiler, s *step) action {
	out, label, cost, t, pos := c.outcome(s), s.label(), s.cost, s.text, s.pos
	return func(r *runner, e *env) {
		name := t.render(e)
		task := &loop.Task{Label: label, Cost: r.duration(pos, "cost", cost), Work: func() (any, error) { return r.sandbox.readFile(name) }}
		task.Done = func(res any, err error) {
			text, _ := res.(string)
			out(r, e, value{s: text}, err)
		}
		r.loop.Submit(task)
	}
}

func compileEncrypt(c *compiler, s *step) action {
	out, label, cost, t, lit, pos := c.outcome(s), s.label(), s.cost, s.text, s.n, s.pos
	return func(r *runner, e *env) {
		arg := ""
		if t != nil {
			arg = t.render(e)
		}
		task := &loop.Task{Label: label, Cost: r.duration(pos, "cost", cost), Work: func() (any, error) {
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

func compileHTTP(c *compiler, s *step) action {
	out, label, t, pos := c.outcome(s), s.label(), s.text, s.pos
	reply := delay.Reply{Delay: s.delay, Status: s.reply.status, Body: s.reply.body, Fault: s.reply.fault}
	header, timeout, refuse := reply.Header(), s.httpTimeout, s.reply.fault == delay.FaultRefuse
	var closed action
	if len(s.closed) > 0 {
		closed = c.list(s.closed)
	}
	return func(r *runner, e *env) {
		req := &loop.Request{Label: label, Path: t.render(e), Header: header, Timeout: timeout}
		if refuse {
			req.Addr = r.refuse // where nothing listens; the virtual peer refuses by itself
		}
		if r.perturb != nil {
			perturbed := reply
			perturbed.Delay = r.duration(pos, "delay", reply.Delay)
			req.Header = perturbed.Header()
		}
		req.Done = func(resp *loop.Response, err error) {
			var v value
			if resp != nil {
				v = value{s: resp.Body, n: int64(resp.Status)}
			}
			out(r, e, v, err)
		}
		if closed != nil {
			req.Closed = func() { r.cur = s; closed(r, e) }
		}
		r.loop.Get(req)
	}
}
