package harness

import (
	"errors"
	"fmt"

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
			m.e, m.fn = e, func() { r.cur = s; then(r, e); r.ran(s.pos) }
		}
		return m.fn
	}
}

// place tells each reference of s's value and of its keys' values how far up in c's scope its
// binding's frame is.
func (c *compiler) place(s *step) {
	var ts []*template
	if s.text != nil {
		ts = append(ts, s.text)
	}
	for _, vr := range s.vary {
		ts = append(ts, vr.t)
	}
	for _, t := range ts {
		for _, ref := range t.refs() {
			ref.depth = c.depth(ref.b)
		}
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
	for i, s := range steps {
		if s.kind.asAfter && s.asBinding != nil && s.asBinding.used {
			// What follows sees the step's as: it runs inside the step's action, in a frame.
			head := c.list(steps[:i])
			a := s.kind.compileAfter(c, s, c.with(s.asBinding).list(steps[i+1:]))
			return func(r *runner, e *env) { head(r, e); a(r, e) }
		}
	}
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

// fnBody compiles steps as the body of a callback of s (nil: main, or a top-level handler): an
// async function when they await (inside an async body; the promise it returns is left alone,
// so that a rejection is reported), and one that catches what they throw, as an uncaught
// exception, when they throw.
func (c *compiler) fnBody(s *step, steps []*step) action {
	body := c.list(steps)
	switch {
	case awaits(steps):
		var src *Source
		if s != nil {
			src = s.source()
		}
		return func(r *runner, e *env) {
			r.startAsync(src, func() any { body(r, e); return nil })
		}
	case throws(steps):
		return func(r *runner, e *env) {
			if v, threw := invoke(func() any { body(r, e); return nil }); threw {
				r.uncaught(v)
			}
		}
	}
	return body
}

// step compiles one step, with its repeat around it.
func (c *compiler) step(s *step) action {
	inner := c.with(s.iBinding)
	inner.place(s)
	a := s.kind.compile(inner, s)
	if s.repeat == 0 {
		return func(r *runner, e *env) { r.mainStep(); a(r, e) }
	}
	n, frame := s.repeat, s.iBinding.used
	return func(r *runner, e *env) {
		for i := range n {
			// One callback can hold millions of repeats: the guards are looked at between
			// them, the wall clock and the heap every 1024.
			if i&1023 == 1023 && r.loop.Check() != nil || r.loop.Err() != nil {
				return
			}
			r.mainStep()
			if frame {
				a(r, &env{up: e, v: value{n: int64(i)}})
			} else {
				a(r, e)
			}
		}
	}
}

// panicked returns the *loop.PanicError in err's chain, or nil. (A function of its own, so that
// the error path's variable is not allocated on every outcome.)
func panicked(err error) *loop.PanicError {
	var pe *loop.PanicError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// outcome returns what runs when a step's operation completes: then with the result bound to
// as, or the error steps with ${error}, or, with no error steps, the failure of the run.
//
// The operation of a source ({encrypt: ..}, {http: ..}) has no steps of its own: its outcome
// settles the promise in the frame that opSource made, with the result as JavaScript has it, or
// an Error.
func (c *compiler) outcome(s *step) func(r *runner, e *env, v value, err error) {
	then := c.with(s.asBinding).fnBody(s, s.then)
	onError := c.with(s.errBinding).fnBody(s, s.onError)
	bindAs := s.asBinding != nil && s.asBinding.used
	bindErr := s.errBinding != nil && s.errBinding.used
	return func(r *runner, e *env, v value, err error) {
		r.cur = s
		switch {
		case s.sourceOp && err == nil:
			p := e.v.x.(*promise)
			r.resolve(p, s.kind.result.js(v), p.src)
		case err == nil:
			if bindAs {
				e = &env{up: e, v: v}
			}
			then(r, e)
		case panicked(err) != nil: // looptest's own bug: no error steps can handle it
			pe := panicked(err)
			r.loop.Fail(&StepError{Pos: s.pos, Kind: s.kind.name, Err: fmt.Errorf("%v", pe.Value), Panicked: true, Stack: pe.Stack})
		case s.sourceOp:
			r.reject(e.v.x.(*promise), newError(err.Error()))
		case s.hasError:
			if bindErr {
				e = &env{up: e, v: value{s: err.Error()}}
			}
			onError(r, e)
		default:
			r.loop.Fail(&StepError{Pos: s.pos, Kind: s.kind.name, Err: err})
		}
		r.ran(s.pos)
	}
}
