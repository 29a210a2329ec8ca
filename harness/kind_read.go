package harness

import (
	"os"
	"time"

	"github.com/looptest/looptest/internal/nodejs"
	"github.com/looptest/looptest/loop"
	"gopkg.in/yaml.v3"
)

var kindRead = &kind{
	name: "read", value: "a path in the sandbox", schema: textSchema, template: true,
	keys: []*key{keyCost, keyAs, keyThen, keyError}, node: "fs.readFile",
	summary: "reads the file from the sandbox on the pool, holding a worker for cost; as binds its text",
	result:  typeString,
	needs:   always(nodejs.Pool, nodejs.Sandbox),
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
		a := s.arg.(*readArg)
		decodeDurationKey(p, s, "cost", v, &a.cost, &a.costV)
	},
	compile: compileRead,
	js: func(g *jsGen, s *step) {
		a := s.arg.(*readArg)
		g.w.Call("read", nodejs.Expr(g.template(s.text)), g.millis(s, a.cost, a.costV), g.then(s), g.onError(s))
	},
}

// defaultCost is how long a pool task holds its worker when its step gives no cost.
const defaultCost = time.Millisecond

// readArg is a read step's payload; the path is the step's text.
type readArg struct {
	cost  time.Duration
	costV *varying // a cost with ${...}, read when the step runs instead of cost
}

// compileRead makes a read Node's fs.readFile (rule 10): a task that holds a worker for the
// cost, if any, then the pool requests open, fstat, a read per 512 KiB and close, each submitted by the
// callback of the one before, so that each is delivered by a poll and other pool work can run
// between them. A failed open ends it there; a failed read still closes the file first.
func compileRead(c *compiler, s *step) action {
	a := s.arg.(*readArg)
	out, src, cost, costV, t := c.outcome(s), newOpSource(s), a.cost, a.costV, s.text
	tm := Timing{Step: s.pos, Key: "cost"}
	return func(r *runner, e *env) {
		cost, ok := r.durationOf(s, cost, costV, e)
		if !ok {
			return
		}
		name := t.render(e)
		rd := &fileRead{r: r, src: src.with(name), name: name}
		rd.done = func(text string, err error) { out(r, e, value{s: text}, err) }
		d := r.duration(tm, cost)
		if cost == 0 {
			rd.openTime = d // a cost of 0 is no task: the time explore gives it is the open's
		} else if d > 0 {
			rd.submit(rd.src.part("cost"), d, func() (any, error) { return nil, nil }, func(any, error) { rd.open() })
			return
		}
		rd.open()
	}
}

// fileRead is one read in flight: the chain of its pool requests.
type fileRead struct {
	r        *runner
	src      *Source
	name     string
	f        *os.File
	text     string
	size     int64         // what fstat gave
	openTime time.Duration // how long the open request takes: 0 unless explore perturbs a cost of 0
	err      error         // of the read request, reported once the file is closed
	done     func(text string, err error)
}

func (rd *fileRead) submit(src *Source, cost time.Duration, work func() (any, error), then func(any, error)) {
	rd.r.loop.Submit(&loop.Task{Source: src, Cost: cost, Work: work, Done: then})
}

func (rd *fileRead) open() {
	rd.submit(rd.src.part("open"), rd.openTime, func() (any, error) { return rd.r.sandbox.open(rd.name) }, func(f any, err error) {
		if err != nil {
			rd.done("", err)
			return
		}
		rd.f = f.(*os.File)
		rd.stat()
	})
}

func (rd *fileRead) stat() {
	rd.submit(rd.src.part("fstat"), 0, func() (any, error) { return rd.f.Stat() }, func(fi any, err error) {
		if err != nil {
			rd.err = err
			rd.close()
			return
		}
		rd.size = fi.(os.FileInfo).Size()
		rd.read()
	})
}

// read submits the next read request: at most 512 KiB each, until the size that fstat gave is
// read or a read returns nothing (ReadFileContext in lib/fs.js).
func (rd *fileRead) read() {
	rd.submit(rd.src.part("read"), 0, func() (any, error) { return readChunk(rd.f) }, func(chunk any, err error) {
		if err != nil {
			rd.err = err
			rd.close()
			return
		}
		b := chunk.([]byte)
		rd.text += string(b)
		if len(b) == 0 || int64(len(rd.text)) >= rd.size {
			rd.close()
			return
		}
		rd.read()
	})
}

func (rd *fileRead) close() {
	// The close is named after the step: its callback runs the step's then or error.
	rd.submit(rd.src, 0, func() (any, error) { return nil, rd.f.Close() }, func(any, error) {
		if rd.err != nil {
			rd.done("", rd.err)
			return
		}
		rd.done(rd.text, nil)
	})
}
