package harness

import (
	"errors"
	"os"
	"time"

	"github.com/looptest/looptest/loop"
)

// The promise forms of the operations (SPEC §2 rule 16): {read} is fs.promises.readFile,
// {timeout} and {immediate} are timers/promises', {encrypt} and {http} are the callback
// operations wrapped in a new Promise that settles in their callback.

// opSource compiles the promise form of an operation.
func (c *compiler) opSource(ps *psource) func(r *runner, e *env) any {
	op, src := ps.op, ps.src
	switch op.kind.name {
	case "read":
		return c.readFileP(op, src)
	case "timeout":
		a, tm := op.arg.(*timeoutArg), valueTiming(op)
		return func(r *runner, e *env) any {
			p := r.newPromise(src)
			d, ok := r.durationOf(op, a.delay, a.delayV, e)
			if !ok {
				return p // the run has ended at op
			}
			r.loop.QueueTimeout(r.duration(tm, d), src, func() { r.resolve(p, nil, src) })
			return p
		}
	case "immediate":
		return func(r *runner, e *env) any {
			p := r.newPromise(src)
			r.loop.QueueImmediate(src, func() { r.resolve(p, nil, src) })
			return p
		}
	}
	// encrypt and http: the operation runs with a frame that holds the promise its outcome
	// settles (compiler.outcome).
	frame := &binding{used: true}
	start := c.with(frame).step(op) // step, not the kind alone: it places the ${...} of the value
	return func(r *runner, e *env) any {
		p := r.newPromise(src)
		start(r, &env{up: e, v: value{x: p}})
		return p
	}
}

// readFileP is fs.promises.readFile(path, 'utf8') as Node 20 runs it: an async function that
// awaits a FileHandle's open, then its fstat, then reads of at most 512 KiB until the end, then
// its close, each a pool request issued when the await on the one before resumes. A cost, if
// given, is a pool task before the open.
func (c *compiler) readFileP(op *step, src *Source) func(r *runner, e *env) any {
	a, t := op.arg.(*readArg), op.text
	c.place(op)
	tm := Timing{Step: op.pos, Key: "cost"}
	return func(r *runner, e *env) any {
		cost, ok := r.durationOf(op, a.cost, a.costV, e)
		if !ok {
			return r.newPromise(src) // the run has ended at op
		}
		name := t.render(e)
		s := &Source{Kind: "read", Value: name, Pos: op.pos}
		return r.startAsync(src, func() any {
			d, open := r.duration(tm, cost), time.Duration(0)
			if cost == 0 {
				open = d // a cost of 0 is no task: the time explore gives it is the open's
			} else if d > 0 {
				r.awaitPool(s.part("cost"), d, func() (any, error) { return nil, nil })
			}
			fv := r.awaitPool(s.part("open"), open, func() (any, error) { return r.sandbox.open(name) })
			f := fv.(*os.File)
			text, err := r.readFileHandle(s, f)
			r.awaitPool(s, 0, func() (any, error) { return nil, f.Close() })
			if err != nil {
				panic(&jsThrow{newError(err.Error())})
			}
			return text
		})
	}
}

// readFileHandle reads the file as readFileHandle does: fstat, then reads of at most 512 KiB
// (kReadFileBufferLength) until the size is read or a read returns nothing.
func (r *runner) readFileHandle(s *Source, f *os.File) (text string, err error) {
	defer func() {
		if x := recover(); x != nil {
			t, ok := x.(*jsThrow)
			if !ok {
				panic(x)
			}
			err = errors.New(errorMessage(t.v))
		}
	}()
	fi := r.awaitPool(s.part("fstat"), 0, func() (any, error) { return f.Stat() }).(os.FileInfo)
	size := fi.Size()
	var buf []byte
	for {
		chunk := r.awaitPool(s.part("read"), 0, func() (any, error) { return readChunk(f) }).([]byte)
		buf = append(buf, chunk...)
		if len(chunk) == 0 || int64(len(buf)) >= size {
			return string(buf), nil
		}
	}
}

// awaitPool submits a pool request and awaits its promise, settled in its callback; a failure
// throws, as the binding's rejection does.
func (r *runner) awaitPool(src *Source, cost time.Duration, work func() (any, error)) any {
	p := r.newPromise(src)
	r.loop.Submit(&loop.Task{Source: src, Cost: cost, Work: work, Done: func(v any, err error) {
		if err != nil {
			r.reject(p, newError(err.Error()))
			return
		}
		r.fulfill(p, v)
	}})
	v, threw := r.await(p, src)
	if threw {
		panic(&jsThrow{v})
	}
	return v
}
