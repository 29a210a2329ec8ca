package harness

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/looptest/looptest/internal/delay"
	"github.com/looptest/looptest/internal/nodejs"
)

// WriteNode writes the scenario as a Node.js program, CommonJS (so that the nextTicks queued by
// the main module run before its microtasks), for Node.js 20 or later. Run as `node FILE.cjs`,
// it prints the scenario's ordering, so that Node.js itself can confirm the ordering looptest
// gives.
//
// The program is the runtime of package nodejs, whole, then the scenario's part: each step
// written by its kind as its Node.js analogue. Its http steps call the delay server named by
// $LOOPTEST_DELAY_ADDR. A step that fails with no error steps prints `FILE:LINE:COL: KIND
// failed: MESSAGE` on stderr and ends the program with status 1, as `looptest run` does.
func (s *Scenario) WriteNode(w io.Writer) error {
	g := &jsGen{idKind: map[int]*kind{}}
	needs := map[nodejs.Feature]bool{nodejs.Sandbox: len(s.Files) > 0}
	walkSteps(s.main, func(st *step) {
		if st.kind.needs != nil {
			for _, f := range st.kind.needs(st) {
				needs[f] = true
			}
		}
		if st.idIndex >= 0 && st.kind.key(keyID.name) != nil {
			g.idKind[st.idIndex] = st.kind
		}
	})
	var main, listeners bytes.Buffer
	g.w = nodejs.NewWriter(&listeners)
	g.listener("unhandledRejection", s.hasRejection, s.rejectionB, s.onRejection)
	g.listener("uncaughtException", s.hasException, s.exceptionB, s.onException)
	g.w.Flush()
	g.w = nodejs.NewWriter(&main)
	g.steps(s.main)
	g.w.Flush()

	prog := &nodejs.Program{
		File: s.File, Name: s.Name, Description: s.Description,
		Threadpool: s.Threadpool,
		Needs:      needs,
		Main:       main.String(),
		Listeners:  listeners.String(),
	}
	for _, f := range s.Files {
		prog.Files = append(prog.Files, [2]string{f.Path, f.Content})
	}
	for i, id := range s.ids {
		prog.IDs = append(prog.IDs, nodejs.ID{Var: idVar(i, id), Comment: g.idKind[i].name + " " + nodejs.Quote(id, '\'')})
	}
	if _, err := prog.WriteTo(w); err != nil {
		return fmt.Errorf("writing the Node.js program of %s: %w", s.File, err)
	}
	return nil
}

// listener writes process.on(event, ...) with the steps of a top-level handler, if it has one.
func (g *jsGen) listener(event string, has bool, b *binding, steps []*step) {
	if !has {
		return
	}
	g.w.Call("process.on", nodejs.Expr("'"+event+"'"), nodejs.Func("$error", func(*nodejs.Writer) {
		if b.used {
			g.w.Line("const error = messageOf($error);")
		}
		g.steps(steps)
	}))
}

// jsGen writes the steps of a scenario as JavaScript; each kind's js function writes its own.
type jsGen struct {
	w      *nodejs.Writer
	idKind map[int]*kind // the kind of the step that has each id, by id index
	alone  bool          // the step being written is alone in a block of its own (a repeat's loop)
}

// walkSteps calls f on every step, callbacks included, in file order.
func walkSteps(steps []*step, f func(*step)) {
	for _, s := range steps {
		f(s)
		walkSteps(s.then, f)
		walkSteps(s.onError, f)
		walkSteps(s.closed, f)
		if s.kind.nested != nil {
			s.kind.nested(s, func(steps []*step) { walkSteps(steps, f) })
		}
	}
}

func (g *jsGen) steps(steps []*step) {
	for _, s := range steps {
		g.step(s)
	}
}

// step writes one step, inside a for loop when it repeats.
func (g *jsGen) step(s *step) {
	if s.repeat == 0 {
		g.alone = false
		s.kind.js(g, s)
		return
	}
	g.w.Block(fmt.Sprintf("for (let i = 0; i < %d; i++)", s.repeat), func(*nodejs.Writer) {
		g.alone = true
		s.kind.js(g, s)
	})
}

// body returns a callback whose body is steps, with param as its parameter.
func (g *jsGen) body(param string, steps []*step) nodejs.Arg {
	switch {
	case len(steps) == 0:
		return nodejs.Func(param, nil)
	case awaits(steps): // inside an async body: an async callback
		return nodejs.AsyncFunc(param, func(*nodejs.Writer) { g.steps(steps) })
	}
	return nodejs.Func(param, func(*nodejs.Writer) { g.steps(steps) })
}

// then returns the success callback of an operation, with its as name as parameter; for the
// operation of a source, the resolve of the promise it settles.
func (g *jsGen) then(s *step) nodejs.Arg {
	if s.sourceOp {
		return nodejs.Expr("resolve")
	}
	param := ""
	if s.as != "" {
		param = nodejs.Name(s.as)
	}
	return g.body(param, s.then)
}

// onError returns the error callback of an operation: its error steps, or, without them, the
// failure of the run at the step's place.
func (g *jsGen) onError(s *step) nodejs.Arg {
	if s.sourceOp {
		return nodejs.Expr("(message) => reject(new Error(message))")
	}
	if s.hasError {
		return g.body("error", s.onError)
	}
	return nodejs.Expr(fmt.Sprintf("fail(%s, '%s')", nodejs.Quote(s.pos.String(), '\''), s.kind.name))
}

// assignID returns "id_NAME = " for a step with an id, else "".
func (g *jsGen) assignID(s *step) string {
	if s.idIndex < 0 {
		return ""
	}
	return idVar(s.idIndex, s.id) + " = "
}

// idVar is the variable of an id: id_NAME, or id_INDEX when the id is not a name.
func idVar(index int, id string) string {
	if isIdent(id) {
		return "id_" + id
	}
	return "id_" + strconv.Itoa(index)
}

// param returns the expression that reads the value of a key with ${...} when the step runs,
// as looptest reads it (varying): the runtime's param, given the text and where a bad one fails
// the run. A body that a close-mid-body fault cuts must not be empty.
func (g *jsGen) param(s *step, vr *varying) string {
	at := fmt.Sprintf("%s, '%s', '%s'", nodejs.Quote(s.pos.String(), '\''), s.kind.name, vr.key)
	if a, ok := s.arg.(*httpArg); ok && vr == a.bodyV && a.reply.Fault == delay.FaultCloseMidBody {
		at += ", 'cut'"
	}
	return "param(" + g.template(vr.t) + ", [" + at + "])"
}

// millisExpr returns a duration in milliseconds: a fixed one as a number, one with ${...} read
// when the step runs.
func (g *jsGen) millisExpr(s *step, d time.Duration, vr *varying) string {
	if vr != nil {
		return g.param(s, vr)
	}
	return nodejs.Millis(d)
}

func (g *jsGen) millis(s *step, d time.Duration, vr *varying) nodejs.Arg {
	return nodejs.Expr(g.millisExpr(s, d, vr))
}

// template returns a template as a JavaScript template literal.
func (g *jsGen) template(t *template) string {
	var b strings.Builder
	b.WriteByte('`')
	for _, p := range t.parts {
		if p.ref == nil {
			b.WriteString(nodejs.TemplatePart(p.lit))
			continue
		}
		b.WriteString("${")
		b.WriteString(refExpr(p.ref))
		b.WriteString("}")
	}
	b.WriteByte('`')
	return b.String()
}

// refExpr returns the JavaScript expression of a ${NAME} or ${NAME.FIELD}.
func refExpr(r *ref) string {
	name := nodejs.Name(r.name)
	if r.field == "" {
		return name
	}
	return r.b.typ.field(r.field).js(name)
}
