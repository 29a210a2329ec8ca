package harness

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/looptest/looptest/internal/nodejs"
)

// The promise constructs as JavaScript: each source is the expression it names, each chain
// the calls it names, so that the program reads as the scenario does.

// valueExpr returns a source as the JavaScript expression of its value: a plain value, or the
// promise or thenable it makes.
func (g *jsGen) valueExpr(ps *psource) string {
	switch ps.form {
	case "value":
		return g.plainExpr(ps)
	case "resolve":
		return "Promise.resolve(" + g.valueExpr(ps.sub) + ")"
	case "reject":
		return "Promise.reject(new Error(" + g.template(ps.text) + "))"
	case "new":
		return "new Promise(" + g.w.Fn("(resolve, reject) =>", func(w *nodejs.Writer) { g.in(w, func() { g.steps(ps.steps) }) }) + ")"
	case "async":
		return g.asyncExpr(ps.name, ps.steps)
	case "all", "allSettled", "race", "any":
		items := make([]string, len(ps.items))
		for i, it := range ps.items {
			items[i] = g.valueExpr(it)
		}
		return "Promise." + ps.form + "([" + strings.Join(items, ", ") + "])"
	case "thenable":
		return "{ then(resolve) { resolve(" + g.valueExpr(ps.sub) + "); } }"
	case "id":
		return idVar(ps.idStep.idIndex, ps.idStep.id)
	}
	return g.opExpr(ps.op)
}

// plainExpr returns a plain value: a literal, a name's value, or text.
func (g *jsGen) plainExpr(ps *psource) string {
	if ps.text != nil {
		if len(ps.text.parts) == 1 && ps.text.parts[0].ref != nil {
			return refExpr(ps.text.parts[0].ref)
		}
		return g.template(ps.text)
	}
	switch v := ps.lit.(type) {
	case nil:
		return "undefined"
	case string:
		return nodejs.Quote(v, '\'')
	case float64:
		return jsNumber(v)
	case bool:
		return strconv.FormatBool(v)
	}
	panic(fmt.Sprintf("a value of type %T", ps.lit))
}

// promiseExpr returns a source as a promise: Promise.resolve of a plain value or a thenable.
func (g *jsGen) promiseExpr(ps *psource) string {
	switch ps.form {
	case "value", "thenable":
		return "Promise.resolve(" + g.valueExpr(ps) + ")"
	}
	return g.valueExpr(ps)
}

// opExpr returns the promise form of an operation: fs.promises.readFile, timers/promises, or
// the callback operation wrapped in a new Promise that settles in its callback.
func (g *jsGen) opExpr(op *step) string {
	switch op.kind.name {
	case "read":
		a := op.arg.(*readArg)
		return fmt.Sprintf("readFileP(%s, %s)", g.template(op.text), g.millisExpr(op, a.cost, a.costV))
	case "timeout":
		a := op.arg.(*timeoutArg)
		return "timersPromises.setTimeout(" + g.millisExpr(op, a.delay, a.delayV) + ")"
	case "immediate":
		return "timersPromises.setImmediate()"
	}
	return "new Promise(" + g.w.Fn("(resolve, reject) =>", func(w *nodejs.Writer) {
		// The operation's callbacks are resolve and reject (jsGen.then, jsGen.onError).
		g.in(w, func() { op.kind.js(g, op) })
	}) + ")"
}

// in runs write with g writing to w, a nested function's body.
func (g *jsGen) in(w *nodejs.Writer, write func()) {
	outer := g.w
	g.w = w
	write()
	g.w = outer
}

// asyncExpr returns the call of an async function declared on the spot.
func (g *jsGen) asyncExpr(name string, body []*step) string {
	return "(" + g.w.Fn("async function "+nodejs.Name(name)+"()", func(w *nodejs.Writer) { g.in(w, func() { g.steps(body) }) }) + ")()"
}

// chain returns the calls that attach a chain's handlers.
func (g *jsGen) chain(links []*link) string {
	var b strings.Builder
	for _, l := range links {
		head := "()"
		switch l.kind {
		case "then":
			head = "(value)"
		case "catch":
			head = "($error)"
		}
		if awaits(l.steps) {
			head = "async " + head
		}
		fn := g.w.Fn(head+" =>", func(w *nodejs.Writer) {
			g.in(w, func() {
				if l.kind == "catch" && l.b.used {
					g.w.Line("const error = messageOf($error);")
				}
				g.steps(l.steps)
			})
		})
		fmt.Fprintf(&b, ".%s(%s)", l.kind, fn)
	}
	return b.String()
}

// jsAwait writes an await: with as, the steps after it see the name; with catch, a try.
func jsAwait(g *jsGen, s *step) {
	a := s.arg.(*awaitArg)
	x := "await " + g.valueExpr(a.src)
	name := ""
	if s.as != "" {
		name = nodejs.Name(s.as)
	}
	if !a.hasCatch {
		if name != "" {
			g.w.Line("const %s = %s;", name, x)
		} else {
			g.w.Line("%s;", x)
		}
		return
	}
	if name != "" {
		g.w.Line("let %s;", name)
		x = name + " = " + x
	}
	g.w.Block("try", func(*nodejs.Writer) { g.w.Line("%s;", x) })
	g.w.Block("catch ($error)", func(*nodejs.Writer) {
		if a.errB.used {
			g.w.Line("const error = messageOf($error);")
		}
		g.steps(a.catch)
	})
}
