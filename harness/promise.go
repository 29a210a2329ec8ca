package harness

import (
	"github.com/looptest/looptest/loop"
)

// Promises follow ECMAScript's algorithms step for step (PerformPromiseThen, the resolve
// functions, NewPromiseResolveThenableJob, PromiseReactionJob), so that V8's tick counts
// (SPEC §2 rules 13 and 14) come out of the model rather than being counted by hand: each job
// is a microtask of the loop, in the one queue that queueMicrotask uses.

type promiseState uint8

const (
	pending promiseState = iota
	fulfilled
	rejected
)

// A promise is a JavaScript promise of a run.
type promise struct {
	state     promiseState
	result    any // the value or the reason, once settled
	reactions []reaction
	handled   bool    // [[PromiseIsHandled]]: a handler was attached, so a rejection is not reported
	src       *Source // the step that made it: it names its jobs in the trace and its failure
}

// A handler is a function that a promise calls with its value or reason. It returns what the
// function returns; a JavaScript throw is a panic of a *jsThrow (see invoke).
type handler func(arg any) any

// A reaction is a handler attached to a promise, with the promise that its result resolves.
type reaction struct {
	derived     *promise // resolved with the handler's result; nil when nothing is (await)
	onFulfilled handler  // nil passes the value on
	onRejected  handler  // nil passes the reason on
	src         loop.Source
}

// A jsThrow is a JavaScript exception on its way up: the panic that a throw step makes, which
// the function it runs in catches (invoke).
type jsThrow struct{ v any }

// A jsReturn is a return step on its way out of its function (invoke).
type jsReturn struct{ v any }

func (r *runner) newPromise(src *Source) *promise { return &promise{src: src} }

// invoke calls a function's body: what it returns, or what it throws.
func invoke(body func() any) (v any, threw bool) {
	defer func() {
		if p := recover(); p != nil {
			switch x := p.(type) {
			case *jsReturn:
				v, threw = x.v, false
			case *jsThrow:
				v, threw = x.v, true
			default:
				panic(p)
			}
		}
	}()
	return body(), false
}

// fulfill and reject settle p (FulfillPromise, RejectPromise) and queue its reactions.
func (r *runner) fulfill(p *promise, v any) { r.settle(p, fulfilled, v) }

func (r *runner) reject(p *promise, reason any) {
	if !p.handled {
		r.rejections.rejected(p)
	}
	r.settle(p, rejected, reason)
}

func (r *runner) settle(p *promise, st promiseState, v any) {
	if p.state != pending {
		return
	}
	p.state, p.result = st, v
	reactions := p.reactions
	p.reactions = nil
	for _, re := range reactions {
		r.queueReaction(re, st, v)
	}
}

// resolve is the body of a promise's resolve function: fulfill it with x, or, when x is a
// thenable, follow it through a NewPromiseResolveThenableJob (a native promise costs two
// ticks: the job, then the reaction it attaches; a thenable that calls back at once, one).
func (r *runner) resolve(p *promise, x any, src loop.Source) {
	if p.state != pending {
		return
	}
	switch t := x.(type) {
	case *promise:
		if t == p {
			r.reject(p, &jsError{name: "TypeError", message: "Chaining cycle detected for promise #<Promise>"})
			return
		}
		r.loop.QueueMicrotask(src, func() {
			r.performThen(t, reaction{derived: p, src: src})
		})
	case *thenable:
		r.loop.QueueMicrotask(src, func() {
			res, _ := r.resolvingFunctions(p, src)
			res(t.v)
		})
	default:
		r.fulfill(p, x)
	}
}

// resolvingFunctions returns the resolve and reject functions of p, as new Promise gives its
// executor: the first call of either wins, later ones do nothing.
func (r *runner) resolvingFunctions(p *promise, src loop.Source) (resolve, reject func(any)) {
	done := false
	resolve = func(x any) {
		if !done {
			done = true
			r.resolve(p, x, src)
		}
	}
	reject = func(reason any) {
		if !done {
			done = true
			r.reject(p, reason)
		}
	}
	return resolve, reject
}

// performThen attaches a reaction to p (PerformPromiseThen): it runs as a job once p settles,
// at once if it has.
func (r *runner) performThen(p *promise, re reaction) {
	switch p.state {
	case pending:
		p.reactions = append(p.reactions, re)
	case rejected:
		if !p.handled {
			r.rejections.handled(p)
		}
		fallthrough
	default:
		r.queueReaction(re, p.state, p.result)
	}
	p.handled = true
}

// then is p.then(onFulfilled, onRejected): the promise it returns.
func (r *runner) then(p *promise, onFulfilled, onRejected handler, src *Source) *promise {
	d := r.newPromise(src)
	r.performThen(p, reaction{derived: d, onFulfilled: onFulfilled, onRejected: onRejected, src: src})
	return d
}

// queueReaction queues the PromiseReactionJob of re for a promise settled as st with v.
func (r *runner) queueReaction(re reaction, st promiseState, v any) {
	r.loop.QueueMicrotask(re.src, func() {
		h := re.onFulfilled
		if st == rejected {
			h = re.onRejected
		}
		var result any
		threw := st == rejected
		if h != nil {
			result, threw = invoke(func() any { return h(v) })
		} else {
			result = v
		}
		switch {
		case re.derived == nil:
		case threw:
			r.reject(re.derived, result)
		default:
			r.resolve(re.derived, result, re.src)
		}
	})
}

// promiseResolve is Promise.resolve(x): x itself when it is a native promise, else a new
// promise resolved with it.
func (r *runner) promiseResolve(x any, src *Source) *promise {
	if p, ok := x.(*promise); ok {
		return p
	}
	p := r.newPromise(src)
	r.resolve(p, x, src)
	return p
}

// rejected returns Promise.reject(reason).
func (r *runner) rejectedPromise(reason any, src *Source) *promise {
	p := r.newPromise(src)
	r.reject(p, reason)
	return p
}

// finally is p.finally(onFinally): then with two handlers that call onFinally and pass the
// value, or the reason, on through Promise.resolve(onFinally's result).then(...), as the
// specification's thenFinally and catchFinally do.
func (r *runner) finally(p *promise, onFinally handler, src *Source) *promise {
	call := func() *promise {
		res, threw := invoke(func() any { return onFinally(nil) })
		if threw {
			panic(&jsThrow{res})
		}
		return r.promiseResolve(res, src)
	}
	return r.then(p, func(v any) any {
		return r.then(call(), func(any) any { return v }, nil, src)
	}, func(reason any) any {
		return r.then(call(), func(any) any { panic(&jsThrow{reason}) }, nil, src)
	}, src)
}
