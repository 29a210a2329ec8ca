package harness

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/looptest/looptest/internal/delay"
)

// The environment variables from which a program written by WriteNode reads, unless
// NodeOptions says otherwise, the address (HOST:PORT) of the delay server its http steps call,
// and the address where nothing listens, which steps with `fault: refuse` call.
const (
	DelayAddrVar  = "LOOPTEST_DELAY_ADDR"
	RefuseAddrVar = "LOOPTEST_REFUSE_ADDR"
)

// NodeOptions configure the Node.js program that WriteNode writes.
type NodeOptions struct {
	// AddrVar names the environment variable holding the delay server's address; "" means
	// DelayAddrVar. Only programs with http steps read it.
	AddrVar string
	// RefuseAddrVar names the environment variable holding an address where nothing listens;
	// "" means RefuseAddrVar. Only programs with a `fault: refuse` read it.
	RefuseAddrVar string
}

// WriteNode writes the scenario as a Node.js program, CommonJS (so that the nextTicks queued by
// the main module run before its microtasks), for Node.js 20 or later. Run as `node FILE.cjs`,
// it prints the scenario's ordering, so that Node.js itself can confirm the ordering looptest
// gives.
//
// Each step becomes its Node.js analogue: setTimeout, setInterval, setImmediate,
// process.nextTick, queueMicrotask, console.log, a busy loop for block. A read or encrypt is one
// threadpool task: crypto.pbkdf2, calibrated when the program starts to hold a pool worker for
// the step's cost, then the file is read or fibonacci(n) computed in its callback. An http step
// is an http.get to the delay server named by the environment, which answers (or fails) as the
// step asks; the client closes the connection once the response (or error) callback has run, a
// timeout is a timer armed with the request, and failures are worded as looptest words them.
// Main starts right after the loop's millisecond clock ticks, so that the timers it arms with
// one delay share a deadline, as they do in looptest. The files are written into a fresh
// temporary directory, the working directory of the run, removed at exit. A step that fails
// with no error steps prints `FILE:LINE:COL: KIND failed: MESSAGE` on stderr and ends the
// program with status 1, as `looptest run` does.
func (s *Scenario) WriteNode(w io.Writer, opts NodeOptions) error {
	g := newNodeGen(s, opts)
	bw := bufio.NewWriter(w)
	g.w = bw
	g.program()
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing the Node.js program of %s: %w", s.File, err)
	}
	return nil
}

// nodeGen writes the Node.js program of a scenario.
type nodeGen struct {
	s     *Scenario
	opts  NodeOptions
	w     *bufio.Writer
	depth int  // indentation of the lines written next
	open  bool // a line has been started and not ended

	idKind map[int]string // the kind of the step that has each id, by id index
	uses   nodeFeatures
}

// nodeFeatures are what a scenario needs from the program's runtime part.
type nodeFeatures struct {
	block, read, encrypt, http bool
	timers                     bool // a timeout, an interval, an http timeout
	refuse                     bool // an http step with fault: refuse
	dynamicRead                bool // a read whose path has ${...}
	dynamicEncrypt             bool // an encrypt whose n has ${...}
	chomp                      bool // a log text that ends with a ${...}
}

func newNodeGen(s *Scenario, opts NodeOptions) *nodeGen {
	if opts.AddrVar == "" {
		opts.AddrVar = DelayAddrVar
	}
	if opts.RefuseAddrVar == "" {
		opts.RefuseAddrVar = RefuseAddrVar
	}
	g := &nodeGen{s: s, opts: opts, idKind: map[int]string{}}
	walkNodeSteps(s.main, func(st *step) {
		switch st.kind.name {
		case "block":
			g.uses.block = true
		case "read":
			g.uses.read = true
			g.uses.dynamicRead = g.uses.dynamicRead || !isStaticText(st.text)
		case "encrypt":
			g.uses.encrypt = true
			g.uses.dynamicEncrypt = g.uses.dynamicEncrypt || st.text != nil
		case "http":
			g.uses.http = true
			g.uses.timers = g.uses.timers || st.httpTimeout > 0
			g.uses.refuse = g.uses.refuse || st.reply.fault == delay.FaultRefuse
		case "timeout", "interval":
			g.uses.timers = true
		case "log":
			g.uses.chomp = g.uses.chomp || endsWithText(st.text)
		}
		if st.id != "" && st.kind.name != "clear" && st.idIndex >= 0 {
			g.idKind[st.idIndex] = st.kind.name
		}
	})
	return g
}

// walkNodeSteps calls f on every step, callbacks included, in file order.
func walkNodeSteps(steps []*step, f func(*step)) {
	for _, s := range steps {
		f(s)
		walkNodeSteps(s.then, f)
		walkNodeSteps(s.onError, f)
		walkNodeSteps(s.closed, f)
	}
}

func isStaticText(t *template) bool {
	_, ok := t.static()
	return ok
}

func (g *nodeGen) pool() bool { return g.uses.read || g.uses.encrypt }

// program writes the whole program: header, setup, runtime, main.
func (g *nodeGen) program() {
	g.header()
	g.requires()
	if len(g.s.Files) > 0 || g.uses.read {
		g.sandbox()
	}
	g.runtime()
	g.ids()
	if g.uses.timers {
		g.text(jsAlign)
	}
	g.line("")
	g.line("// main: runs first, as one callback; its nextTicks, then its microtasks, run when it returns.")
	g.steps(g.s.main)
}

func (g *nodeGen) header() {
	g.line("// Generated by looptest from %s.", escapeJS(g.s.File, '\''))
	if g.s.Description != "" {
		g.line("//")
		for _, l := range wrapWords(g.s.Name+": "+g.s.Description, 94) {
			g.line("// %s", l)
		}
	}
	g.line("//")
	g.line("// It prints the scenario's ordering. Run it with Node.js 20 or later, as CommonJS, so that")
	g.line("// the main module's nextTicks run before its microtasks: save it as NAME.cjs, run node NAME.cjs.")
	if g.uses.http {
		g.line("// Its http steps call the delay server at $%s (HOST:PORT); 'looptest serve'", g.opts.AddrVar)
		g.line("// runs one and prints its address.")
	}
	if g.uses.refuse {
		g.line("// A fault: refuse calls $%s, where nothing listens: the second line", g.opts.RefuseAddrVar)
		g.line("// 'looptest serve' prints.")
	}
	g.line("'use strict';")
	if g.pool() {
		g.line("")
		g.line("// The pool's size, set before its first use (as UV_THREADPOOL_SIZE would be).")
		g.line("process.env.UV_THREADPOOL_SIZE = '%d';", g.s.Threadpool)
	}
}

func (g *nodeGen) requires() {
	if g.pool() || g.uses.http || g.uses.block || len(g.s.Files) > 0 {
		g.line("")
	}
	if g.pool() {
		g.line("const crypto = require('node:crypto');")
	}
	if len(g.s.Files) > 0 || g.uses.read {
		g.line("const fs = require('node:fs');")
	}
	if g.uses.http {
		g.line("const http = require('node:http');")
	}
	if len(g.s.Files) > 0 || g.uses.read {
		g.line("const os = require('node:os');")
		g.line("const path = require('node:path');")
	}
	if g.pool() || g.uses.block {
		g.line("const { performance } = require('node:perf_hooks');")
	}
}

func (g *nodeGen) sandbox() {
	g.line("")
	g.line("// The sandbox: a fresh directory holding the scenario's files, the working directory of")
	g.line("// the run, removed at exit.")
	g.line("const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'looptest-'));")
	g.line("process.on('exit', () => {")
	g.line("  process.chdir(os.tmpdir());")
	g.line("  fs.rmSync(sandbox, { recursive: true, force: true });")
	g.line("});")
	if len(g.s.Files) == 0 {
		g.line("process.chdir(sandbox);")
		return
	}
	g.line("const files = [")
	for _, f := range g.s.Files {
		g.line("  [%s, %s],", jsString(f.Path, '\''), jsString(f.Content, '`'))
	}
	g.line("];")
	g.line("for (const [name, content] of files) {")
	g.line("  const file = path.join(sandbox, name);")
	g.line("  fs.mkdirSync(path.dirname(file), { recursive: true });")
	g.line("  fs.writeFileSync(file, content);")
	g.line("}")
	g.line("process.chdir(sandbox);")
}

// runtime writes the functions the steps call, those the scenario needs.
func (g *nodeGen) runtime() {
	if g.uses.block {
		g.text(jsBlock)
	}
	if g.pool() {
		g.text(jsPool)
	}
	if g.uses.read {
		if g.uses.dynamicRead {
			g.text(strings.Replace(jsRead, "    let text;\n", jsReadCheck, 1))
			g.text(jsCheckPath)
		} else {
			g.text(jsRead)
		}
	}
	if g.uses.encrypt {
		g.text(jsEncrypt)
		if g.uses.dynamicEncrypt {
			g.text(jsParseEncrypt)
		}
	}
	if g.uses.http {
		g.text(strings.ReplaceAll(jsDelayAddr, "LOOPTEST_DELAY_ADDR", g.opts.AddrVar))
		if g.uses.refuse {
			g.text(strings.ReplaceAll(jsRefuseAddr, "LOOPTEST_REFUSE_ADDR", g.opts.RefuseAddrVar))
		}
		g.text(jsHTTP)
	}
	if g.uses.read || g.uses.encrypt || g.uses.http {
		g.text(jsFail)
	}
	if g.uses.chomp {
		g.text(jsChomp)
	}
}

// ids declares a variable for each id, holding the most recent handle of its step.
func (g *nodeGen) ids() {
	if len(g.s.ids) == 0 {
		return
	}
	g.line("")
	g.line("// The ids: each holds the most recent timer or immediate of its step, for clear.")
	for i, id := range g.s.ids {
		g.line("let %s; // %s %s", idVar(i, id), g.idKind[i], jsString(id, '\''))
	}
}

// idVar is the variable of an id: id_NAME, or id_INDEX when the id is not a name.
func idVar(index int, id string) string {
	if isIdent(id) {
		return "id_" + id
	}
	return "id_" + strconv.Itoa(index)
}

func (g *nodeGen) steps(steps []*step) {
	for _, s := range steps {
		g.step(s)
	}
}

// step writes one step, inside a for loop when it repeats.
func (g *nodeGen) step(s *step) {
	if s.repeat == 0 {
		g.op(s, false)
		return
	}
	g.line("for (let i = 0; i < %d; i++) {", s.repeat)
	g.depth++
	g.op(s, true)
	g.depth--
	g.line("}")
}

// op writes the statement of one step; inBlock says that it is alone in a block of its own.
func (g *nodeGen) op(s *step, inBlock bool) {
	switch s.kind.name {
	case "log":
		g.line("console.log(%s);", g.logText(s.text))
	case "block":
		g.line("block(%s);", jsMillis(s.dur))
	case "timeout":
		g.call(g.assignID(s)+"setTimeout", jsCallbackOf("", s.then), jsExpr(jsMillis(s.dur)))
	case "interval":
		g.interval(s, inBlock)
	case "immediate":
		g.call(g.assignID(s)+"setImmediate", jsCallbackOf("", s.then))
	case "nextTick":
		g.call("process.nextTick", jsCallbackOf("", s.then))
	case "microtask":
		g.call("queueMicrotask", jsCallbackOf("", s.then))
	case "clear":
		fn := map[string]string{"timeout": "clearTimeout", "interval": "clearInterval", "immediate": "clearImmediate"}[g.idKind[s.idIndex]]
		g.line("%s(%s);", fn, idVar(s.idIndex, s.id))
	case "read":
		g.call("read", jsExpr(g.template(s.text)), jsExpr(jsMillis(s.cost)), g.then(s), g.onError(s))
	case "encrypt":
		n := strconv.Itoa(s.n)
		if s.text != nil {
			n = g.template(s.text)
		}
		g.call("encrypt", jsExpr(n), jsExpr(jsMillis(s.cost)), g.then(s), g.onError(s))
	case "http":
		args := []jsArg{jsExpr(g.request(s)), g.then(s), g.onError(s)}
		if len(s.closed) > 0 {
			args = append(args, jsCallbackOf("", s.closed))
		}
		g.call("get", args...)
	default:
		g.line("// %s: no Node.js analogue", s.kind.name)
	}
}

// assignID returns "id_NAME = " for a step with an id, else "".
func (g *nodeGen) assignID(s *step) string {
	if s.id == "" || s.idIndex < 0 {
		return ""
	}
	return idVar(s.idIndex, s.id) + " = "
}

// interval writes a setInterval; with times, a counter clears it after its last run.
func (g *nodeGen) interval(s *step, inBlock bool) {
	if s.times == 0 {
		g.call(g.assignID(s)+"setInterval", jsCallbackOf("", s.then), jsExpr(jsMillis(s.dur)))
		return
	}
	if !inBlock {
		g.line("{")
		g.depth++
	}
	g.line("let runs = 0;")
	body := jsCallbackOf("", s.then)
	body.cb.after = []string{fmt.Sprintf("if (++runs === %d) clearInterval(interval);", s.times)}
	g.call("const interval = setInterval", body, jsExpr(jsMillis(s.dur)))
	if s.id != "" && s.idIndex >= 0 {
		g.line("%s = interval;", idVar(s.idIndex, s.id))
	}
	if !inBlock {
		g.depth--
		g.line("}")
	}
}

// then returns the success callback of an operation, with its as name as parameter.
func (g *nodeGen) then(s *step) jsArg {
	param := ""
	if s.as != "" {
		param = jsName(s.as)
	}
	return jsCallbackOf(param, s.then)
}

// onError returns the error callback of an operation: its error steps, or, without them, the
// failure of the run at the step's place.
func (g *nodeGen) onError(s *step) jsArg {
	if s.hasError {
		return jsCallbackOf("error", s.onError)
	}
	return jsExpr(fmt.Sprintf("fail(%s, '%s')", jsString(s.pos.String(), '\''), s.kind.name))
}

// request returns the request of an http step: its path, the headers that ask the delay server
// for its reply, its timeout (in milliseconds, and as looptest words it), whether it goes where
// nothing listens.
func (g *nodeGen) request(s *step) string {
	reply := delay.Reply{Delay: s.delay, Status: s.reply.status, Body: s.reply.body, Fault: s.reply.fault}
	h := reply.Header()
	headers := make([]string, len(h))
	for i, kv := range h {
		headers[i] = jsString(kv[0], '\'') + ": " + jsString(kv[1], '\'')
	}
	req := "{ path: " + g.template(s.text) + ", headers: { " + strings.Join(headers, ", ") + " }"
	if s.httpTimeout > 0 {
		req += fmt.Sprintf(", timeout: [%s, %s]", jsMillis(s.httpTimeout), jsString(s.httpTimeout.String(), '\''))
	}
	if s.reply.fault == delay.FaultRefuse {
		req += ", refuse: true"
	}
	return req + " }"
}

// endsWithText reports whether a template ends with a reference to text (a string, a body),
// which may end with a newline.
func endsWithText(t *template) bool {
	n := len(t.parts)
	if n == 0 || t.parts[n-1].ref == nil {
		return false
	}
	r := t.parts[n-1].ref
	typ := r.b.typ
	if r.field != "" {
		typ = fields[typ][r.field]
	}
	return typ == typeString
}

// logText returns the argument of console.log for a log text: one trailing newline is dropped,
// as looptest drops it; at run time when the text ends with a ${...} of text.
func (g *nodeGen) logText(t *template) string {
	n := len(t.parts)
	switch {
	case endsWithText(t):
		return "chomp(" + g.template(t) + ")"
	case n == 0 || t.parts[n-1].ref != nil:
		return g.template(t)
	}
	trimmed := *t
	trimmed.parts = append([]part(nil), t.parts...)
	trimmed.parts[n-1].lit = strings.TrimSuffix(trimmed.parts[n-1].lit, "\n")
	return g.template(&trimmed)
}

// template returns a template as a JavaScript template literal.
func (g *nodeGen) template(t *template) string {
	var b strings.Builder
	b.WriteByte('`')
	for _, p := range t.parts {
		if p.ref == nil {
			b.WriteString(escapeJS(p.lit, '`'))
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
	name := jsName(r.name)
	switch r.field {
	case "len":
		return "Buffer.byteLength(" + name + ")" // bytes, as looptest counts
	case "":
		return name
	}
	return name + "." + r.field
}

// jsName returns the JavaScript name of a name bound by as, i or error: the name itself, or,
// when it would clash with JavaScript or with the program's own names, the name after a $
// (which scenario names cannot hold).
func jsName(name string) string {
	if name == "i" || name == "error" {
		return name
	}
	if jsReserved[name] || strings.HasPrefix(name, "id_") {
		return "$" + name
	}
	return name
}

// jsReserved holds JavaScript's reserved words, and the names that the code of the steps refers
// to: globals, the runtime's functions and its own locals. (A callback's parameter cannot shadow
// the names that the runtime's functions use inside their own bodies.)
var jsReserved = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		arguments await break case catch class const continue debugger default delete do else
		enum eval export extends false finally for function if implements import in instanceof
		interface let new null package private protected public return static super switch this
		throw true try typeof var void while with yield undefined NaN Infinity

		Buffer clearImmediate clearInterval clearTimeout console process queueMicrotask
		setImmediate setInterval setTimeout

		block chomp encrypt fail get interval read runs`) {
		m[w] = true
	}
	return m
}()

// jsMillis returns a duration in milliseconds, as a JavaScript number.
func jsMillis(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64)
}

// jsString returns s as a JavaScript string literal between quote marks (' or `).
func jsString(s string, quote byte) string {
	return string(quote) + escapeJS(s, quote) + string(quote)
}

// escapeJS escapes s for the inside of a JavaScript string literal delimited by quote: ' or `
// (a template literal, where ${ must be escaped too). Control characters and the line and
// paragraph separators are written as escapes, so that the program shows them and a template
// literal does not turn \r\n into \n.
func escapeJS(s string, quote byte) string {
	var b strings.Builder
	for i, c := range s {
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c == rune(quote):
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == '$' && quote == '`' && strings.HasPrefix(s[i+1:], "{"):
			b.WriteString(`\$`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		case c == '\u2028' || c == '\u2029':
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// wrapWords splits text into lines of at most width bytes, at spaces where it can.
func wrapWords(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(text) {
		if cur.Len() > 0 && cur.Len()+1+len(word) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// A jsArg is an argument of a call: an expression, or a callback.
type jsArg struct {
	expr string
	cb   *jsCallback
}

// A jsCallback is an arrow function: its parameter, the steps of its body and, after them,
// lines of its own.
type jsCallback struct {
	param string
	steps []*step
	after []string
}

func jsExpr(e string) jsArg { return jsArg{expr: e} }

func jsCallbackOf(param string, steps []*step) jsArg {
	return jsArg{cb: &jsCallback{param: param, steps: steps}}
}

// call writes fn(args...); callbacks are written across lines, their bodies indented.
func (g *nodeGen) call(fn string, args ...jsArg) {
	g.write(fn + "(")
	for i, a := range args {
		if i > 0 {
			g.write(", ")
		}
		if a.cb == nil {
			g.write(a.expr)
			continue
		}
		g.write("(" + a.cb.param + ") => {")
		if len(a.cb.steps) == 0 && len(a.cb.after) == 0 {
			g.write("}")
			continue
		}
		g.end()
		g.depth++
		g.steps(a.cb.steps)
		for _, l := range a.cb.after {
			g.line("%s", l)
		}
		g.depth--
		g.write("}")
	}
	g.write(");")
	g.end()
}

// write adds s to the current line, starting it at the current indentation.
func (g *nodeGen) write(s string) {
	if !g.open {
		for range g.depth {
			g.w.WriteString("  ")
		}
		g.open = true
	}
	g.w.WriteString(s)
}

// end ends the current line.
func (g *nodeGen) end() {
	g.w.WriteByte('\n')
	g.open = false
}

// line writes a whole line; an empty one has no indentation.
func (g *nodeGen) line(format string, args ...any) {
	if format == "" {
		g.end()
		return
	}
	g.write(fmt.Sprintf(format, args...))
	g.end()
}

// text writes a block of lines as they are, after an empty line.
func (g *nodeGen) text(s string) {
	g.w.WriteByte('\n')
	g.w.WriteString(strings.TrimPrefix(s, "\n"))
}

// The runtime: the functions the steps call. Each is written only when the scenario needs it.
const (
	jsBlock = `
// block holds the loop thread for ms milliseconds, as a busy loop.
function block(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}
`

	jsPool = `
// The threadpool: crypto.pbkdf2 runs on it, so a task holds a worker for its cost by running
// pbkdf2 for as many iterations as take that long on this machine, measured now, before main.
// Interference only ever slows a measurement down, so the fastest of nine is the machine's
// speed, and a task holds its worker for at least about its cost.
const iterationsPerMs = calibrate();

function calibrate() {
  const time = (n) => {
    const start = performance.now();
    crypto.pbkdf2Sync('looptest', 'salt', n, 32, 'sha256');
    return performance.now() - start;
  };
  let n = 256;
  while (time(n) < 2) n *= 2;
  let best = Infinity;
  for (let k = 0; k < 9; k++) best = Math.min(best, time(n));
  return n / best;
}

// poolTask holds a pool worker for about ms milliseconds, then calls done, in the poll phase.
function poolTask(ms, done) {
  const iterations = Math.max(1, Math.round(ms * iterationsPerMs));
  crypto.pbkdf2('looptest', 'salt', iterations, 32, 'sha256', (err) => {
    if (err) throw err;
    done();
  });
}
`

	jsRead = `
// read is fs.readFile as one pool task: the task holds a worker for costMs, then its callback
// reads the file from the sandbox, the working directory. then gets the text; onError gets the
// message of Node's error.
function read(file, costMs, then, onError) {
  poolTask(costMs, () => {
    let text;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      onError(err.message);
      return;
    }
    then(text);
  });
}
`

	jsReadCheck = `    const problem = checkPath(file);
    if (problem) {
      onError(` + "`${problem}, open '${file}'`" + `);
      return;
    }
    let text;
`

	jsCheckPath = `
// checkPath says what is wrong with a path that must stay inside the sandbox, or '', in
// looptest's words.
function checkPath(p) {
  if (p === '') return 'the path is empty';
  if (p.startsWith('/')) return 'the path must be relative to the sandbox';
  if (p.includes('\\') || p.includes('\0')) return 'the path must use / and no NUL';
  if (p === '.' || p.endsWith('/') || path.posix.normalize(p) !== p) {
    return 'the path must be clean (no ./, //, or trailing /)';
  }
  if (p === '..' || p.startsWith('../')) return 'the path must stay inside the sandbox (no ..)';
  return '';
}
`

	jsEncrypt = `
// encrypt is a CPU job on the pool: the task holds a worker for costMs, then then gets
// fibonacci(n), exact (fib(92) is beyond 2^53, so a BigInt).
function encrypt(n, costMs, then, onError) {
  poolTask(costMs, () => {
    const k = typeof n === 'number' ? n : parseEncrypt(n);
    if (k === undefined) {
      onError(` + "`encrypt ${goQuote(n)}: expected an integer from 0 to 92`" + `);
      return;
    }
    then(fibonacci(k));
  });
}

function fibonacci(n) {
  let a = 0n;
  let b = 1n;
  for (let k = 0; k < n; k++) [a, b] = [b, a + b];
  return a;
}
`

	jsParseEncrypt = `
// parseEncrypt reads the text of an encrypt's ${...} as looptest does (strconv.Atoi): an
// integer from 0 to 92, or undefined.
function parseEncrypt(text) {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 0 && n <= 92 ? n : undefined;
}

// goQuote quotes s as Go's %q does, for looptest's messages.
function goQuote(s) {
  let q = '"';
  for (const c of s) {
    const code = c.codePointAt(0);
    const esc = { '"': '\\"', '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' }[c];
    if (esc) q += esc;
    else if (c === ' ' || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(c)) q += c;
    else if (code < 0x80) q += '\\x' + code.toString(16).padStart(2, '0');
    else if (code < 0x10000) q += '\\u' + code.toString(16).padStart(4, '0');
    else q += '\\U' + code.toString(16).padStart(8, '0');
  }
  return q + '"';
}
`

	jsDelayAddr = `
// The delay server, from the environment.
const delayAddr = hostPort('LOOPTEST_DELAY_ADDR');

function hostPort(name) {
  const addr = process.env[name] || '';
  const colon = addr.lastIndexOf(':');
  if (colon <= 0 || colon === addr.length - 1) {
    process.stderr.write(` + "`this program calls a delay server: set ${name} to HOST:PORT (looptest serve prints it)\\n`" + `);
    process.exit(2);
  }
  return { host: addr.slice(0, colon), port: addr.slice(colon + 1) };
}
`

	jsRefuseAddr = `
// Where nothing listens, for fault: refuse.
const refuseAddr = hostPort('LOOPTEST_REFUSE_ADDR');
`

	jsHTTP = `
// get is http.get to the delay server, whose headers ask for the reply. then gets {status,
// body} once the whole response has come, in the poll phase; onError gets the failure, worded
// as looptest words it (no address, no port). Right after either, the client closes the
// connection, so closed runs in the close phase of that iteration. A response cut short is only
// found out when the connection closes: its error steps run in the close phase, just before
// closed. A timeout is a timer of the loop, armed with the request, as looptest arms it.
function get(request, then, onError, closed) {
  let settled = false;
  let response;
  let received = 0;
  let deadline;
  const settle = (callback) => {
    if (settled) return;
    settled = true;
    clearTimeout(deadline);
    callback();
    req.destroy();
  };
  const failWith = (err) => settle(() => onError(err.code === 'ECONNREFUSED' ? 'connect ECONNREFUSED' : err.message));
  const addr = request.refuse ? refuseAddr : delayAddr;
  const options = { ...addr, path: escapePath(request.path), headers: request.headers, agent: false };
  const req = http.get(options, (res) => {
    response = res;
    const chunks = [];
    res.on('data', (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    res.on('end', () => settle(() => then({ status: res.statusCode, body: Buffer.concat(chunks).toString() })));
    res.on('error', failWith);
  });
  req.on('error', failWith);
  req.on('close', () => {
    if (response && !response.complete) {
      const length = response.headers['content-length'];
      settle(() => onError(` + "`response truncated: ${received} of ${length} body bytes`" + `));
    }
  });
  if (closed) req.on('close', closed);
  if (request.timeout) {
    const [ms, text] = request.timeout;
    deadline = setTimeout(() => settle(() => onError(` + "`timeout: no response within ${text}`" + `)), ms);
  }
}

// escapePath percent-encodes what Node.js refuses in a request path; the delay server answers
// any path alike.
function escapePath(p) {
  return p.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}
`

	jsFail = `
// fail returns the error callback of a step without error steps: the run stops there, as
// looptest's does, with the step's place on stderr and status 1. Nothing prints after it.
function fail(where, kind) {
  return (message) => {
    console.log = () => {};
    process.exitCode = 1;
    process.stderr.write(` + "`${where}: ${kind} failed: ${message}\\n`" + `, () => {
      process.stdout.write('', () => process.exit());
    });
  };
}
`

	jsAlign = `
// Node.js counts time in whole milliseconds of the loop's clock: a timer's deadline is the loop
// time when it is created, plus its delay. Two timers that main creates one after the other with
// one delay share a deadline only if created in the same millisecond, while looptest's main runs
// at one instant. So main starts right after that clock ticks (a timer's _idleStart is the loop
// time at its creation), and console.log is warmed up first: its first call takes most of a
// millisecond.
function startOfMillisecond() {
  process.stdout.write('');
  const write = process.stdout.write;
  process.stdout.write = () => true;
  console.log('');
  process.stdout.write = write;
  const loopNow = () => {
    const probe = setTimeout(() => {}, 2 ** 31 - 1);
    clearTimeout(probe);
    return probe._idleStart;
  };
  const start = loopNow();
  if (typeof start !== 'number') return;
  while (loopNow() === start);
}
startOfMillisecond();
`

	jsChomp = `
// chomp drops one trailing newline, as looptest does from a log text.
function chomp(s) {
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}
`
)
