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

// all is Promise.all(items).
func (r *runner) all(items []any, src *Source) *promise {
	p := r.newPromise(src)
	resolve, reject := r.resolvingFunctions(p, src)
	values := make([]any, len(items))
	remaining := 1
	r.combine(items, src, func(i int, next *promise) {
		remaining++
		called := false
		r.then(next, func(v any) any {
			if !called {
				called = true
				values[i] = v
				if remaining--; remaining == 0 {
					resolve(values)
				}
			}
			return nil
		}, func(reason any) any { reject(reason); return nil }, src)
	})
	if remaining--; remaining == 0 {
		resolve(values)
	}
	return p
}

// allSettled is Promise.allSettled(items).
func (r *runner) allSettled(items []any, src *Source) *promise {
	p := r.newPromise(src)
	resolve, _ := r.resolvingFunctions(p, src)
	values := make([]any, len(items))
	remaining := 1
	r.combine(items, src, func(i int, next *promise) {
		remaining++
		called := false
		settled := func(ok bool) handler {
			return func(v any) any {
				if !called {
					called = true
					values[i] = &settledResult{fulfilled: ok, v: v}
					if remaining--; remaining == 0 {
						resolve(values)
					}
				}
				return nil
			}
		}
		r.then(next, settled(true), settled(false), src)
	})
	if remaining--; remaining == 0 {
		resolve(values)
	}
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
	remaining := 1
	aggregate := func() any {
		return &jsError{name: "AggregateError", message: "All promises were rejected", errors: errs}
	}
	r.combine(items, src, func(i int, next *promise) {
		remaining++
		called := false
		r.then(next, func(v any) any { resolve(v); return nil }, func(reason any) any {
			if !called {
				called = true
				errs[i] = reason
				if remaining--; remaining == 0 {
					reject(aggregate())
				}
			}
			return nil
		}, src)
	})
	if remaining--; remaining == 0 {
		reject(aggregate())
	}
	return p
}
