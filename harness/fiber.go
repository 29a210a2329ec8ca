package harness

import "iter"

// An async function's body runs as a coroutine (iter.Pull): synchronously up to its first
// await, which suspends it; the promise reaction that the await attached resumes it, in a later
// microtask, with its Go stack, and so its scope and the repeats it is inside of, as it was.
// Only one piece of code runs at a time, as on the loop's thread: the loop's goroutine hands
// control to the coroutine and waits for it to suspend or end.
type fiber struct {
	next  func() (struct{}, bool)
	stop  func()
	yield func(struct{}) bool
	// What the await it is suspended at gave: a value, or a reason it threw.
	v     any
	threw bool
}

// fiberStopped unwinds a fiber that the end of its run stops while it waits.
type fiberStopped struct{}

// startAsync calls an async function whose body is body: it runs until its first await, and
// the promise it returns settles with what the body returns or throws (a returned promise or
// thenable is followed, as async functions resolve theirs).
func (r *runner) startAsync(src *Source, body func() any) *promise {
	p := r.newPromise(src)
	f := &fiber{}
	seq := func(yield func(struct{}) bool) {
		f.yield = yield
		defer func() {
			if x := recover(); x != nil {
				if _, ok := x.(fiberStopped); !ok {
					panic(x)
				}
			}
		}()
		v, threw := invoke(body)
		delete(r.fibers, f)
		if threw {
			r.reject(p, v)
		} else {
			r.resolve(p, v, src)
		}
	}
	f.next, f.stop = iter.Pull(seq)
	if r.fibers == nil {
		r.fibers = map[*fiber]bool{}
	}
	r.fibers[f] = true
	r.resume(f)
	return p
}

// resume runs f until it suspends at an await or ends.
func (r *runner) resume(f *fiber) {
	outer := r.fiber
	r.fiber = f
	defer func() { r.fiber = outer }()
	f.next()
}

// await suspends the running async function until x settles (V8's await: Promise.resolve(x),
// then a reaction with no promise of its own), and returns its value, or the reason it was
// rejected with threw set.
func (r *runner) await(x any, src *Source) (v any, threw bool) {
	f := r.fiber
	p := r.promiseResolve(x, src)
	resume := func(threw bool) handler {
		return func(v any) any {
			f.v, f.threw = v, threw
			r.resume(f)
			return nil
		}
	}
	r.performThen(p, reaction{onFulfilled: resume(false), onRejected: resume(true), src: src})
	if !f.yield(struct{}{}) {
		panic(fiberStopped{})
	}
	return f.v, f.threw
}

// stopFibers ends the coroutines of the async functions still waiting when a run ends.
func (r *runner) stopFibers() {
	for f := range r.fibers {
		f.stop()
	}
	r.fibers = nil
}
