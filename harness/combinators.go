package harness

// The combinators, as the specification's PerformPromiseAll, AllSettled, Race and Any run them:
// each item goes through Promise.resolve and then a then call, so that their tick counts are
// V8's.

// combine runs a combinator over items; each gets its own pair of handlers.
func (r *runner) combine(items []any, src *Source, onItem func(i int, p *promise)) {
	for i, x := range items {
		onItem(i, r.promiseResolve(x, src))
	}
}

// A countdown is what the element functions of all, allSettled and any share: the count of
// items not settled yet, plus one that the combinator itself counts down when every item has
// its handlers, and what to do at zero.
type countdown struct {
	remaining int
	done      func()
}

func (c *countdown) count() {
	if c.remaining--; c.remaining == 0 {
		c.done()
	}
}

// elements returns the element functions of one item (resolveElement and rejectElement, or
// the like): the first call of either stores its argument, with onFulfilled or onRejected, and
// counts down; later calls do nothing. A nil setter makes a nil handler.
func (c *countdown) elements(onFulfilled, onRejected func(v any)) (handler, handler) {
	c.remaining++
	called := false
	element := func(set func(any)) handler {
		if set == nil {
			return nil
		}
		return func(v any) any {
			if !called {
				called = true
				set(v)
				c.count()
			}
			return nil
		}
	}
	return element(onFulfilled), element(onRejected)
}

// all is Promise.all(items).
func (r *runner) all(items []any, src *Source) *promise {
	p := r.newPromise(src)
	resolve, reject := r.resolvingFunctions(p, src)
	values := make([]any, len(items))
	c := &countdown{remaining: 1, done: func() { resolve(values) }}
	r.combine(items, src, func(i int, next *promise) {
		onFulfilled, _ := c.elements(func(v any) { values[i] = v }, nil)
		r.then(next, onFulfilled, func(reason any) any { reject(reason); return nil }, src)
	})
	c.count()
	return p
}

// allSettled is Promise.allSettled(items).
func (r *runner) allSettled(items []any, src *Source) *promise {
	p := r.newPromise(src)
	resolve, _ := r.resolvingFunctions(p, src)
	values := make([]any, len(items))
	c := &countdown{remaining: 1, done: func() { resolve(values) }}
	r.combine(items, src, func(i int, next *promise) {
		onFulfilled, onRejected := c.elements(
			func(v any) { values[i] = &settledResult{fulfilled: true, v: v} },
			func(v any) { values[i] = &settledResult{v: v} })
		r.then(next, onFulfilled, onRejected, src)
	})
	c.count()
	return p
}

// race is Promise.race(items).
func (r *runner) race(items []any, src *Source) *promise {
	p := r.newPromise(src)
	resolve, reject := r.resolvingFunctions(p, src)
	r.combine(items, src, func(_ int, next *promise) {
		r.then(next, func(v any) any { resolve(v); return nil }, func(reason any) any { reject(reason); return nil }, src)
	})
	return p
}

// anyOf is Promise.any(items).
func (r *runner) anyOf(items []any, src *Source) *promise {
	p := r.newPromise(src)
	resolve, reject := r.resolvingFunctions(p, src)
	errs := make([]any, len(items))
	c := &countdown{remaining: 1, done: func() {
		reject(&jsError{name: "AggregateError", message: "All promises were rejected", errors: errs})
	}}
	r.combine(items, src, func(i int, next *promise) {
		_, onRejected := c.elements(nil, func(reason any) { errs[i] = reason })
		r.then(next, func(v any) any { resolve(v); return nil }, onRejected, src)
	})
	c.count()
	return p
}
