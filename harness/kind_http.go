package harness

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/looptest/looptest/internal/delay"
	"github.com/looptest/looptest/internal/nodejs"
	"github.com/looptest/looptest/loop"
	"gopkg.in/yaml.v3"
)

var kindHTTP = &kind{
	name: "http", value: "a path on the delay server, starting with /", schema: httpSchema, template: true,
	keys:    []*key{keyDelay, keyRespond, keyTimeout, keyAs, keyThen, keyError, keyClosed},
	node:    "http.get",
	summary: "GETs the path from the delay server, which answers after delay with respond (status, body, or a fault: " + faultNames() + "); a socket idle for timeout fails it; as binds the response (.status, .body); closed runs in the close phase",
	result:  typeResponse,
	needs:   httpNeeds,
	decode: func(p *problems, s *step, v *yaml.Node) {
		s.arg = &httpArg{reply: delay.Reply{Status: 200, Body: "OK"}}
		if decodeText(p, s, v) && !strings.HasPrefix(v.Value, "/") {
			p.at(v, "http must be a path on the delay server, starting with /; got %s", describe(v))
		}
	},
	decodeKey: decodeHTTPKey,
	check:     checkFault,
	compile:   compileHTTP,
	js:        jsHTTP,
}

// httpArg is an http step's payload; the path is the step's text.
type httpArg struct {
	reply    delay.Reply   // what the delay server is asked to answer, delay and fault included
	faultPos Pos           // where the fault is given
	timeout  time.Duration // 0: none
	// The keys whose values hold ${...}, read when the step runs instead of reply's and
	// timeout's fixed values; nil for the others.
	delayV, timeoutV, statusV, bodyV *varying
}

func httpSchema() *schema {
	return &schema{Type: "string", Pattern: "^/", ErrorMessage: "A path on the delay server, starting with /."}
}

// The keys of an http step.
var (
	keyDelay   = &key{"delay", "How long the delay server waits before it answers; default 0.", templateDurationKey(0, false)}
	keyTimeout = &key{"timeout", "Node's socket timeout: the request fails (error: timeout: no response within D) once its socket has been idle this long; armed with the request, refreshed when it connects, writes and reads. More than 0; below 1ms it runs as 1ms.", func() *schema {
		return templateDurationKey(nil, true)()
	}}
	keyRespond = &key{"respond", "What the delay server answers: status and body, or a fault that breaks the answer; default {status: 200, body: OK}.", func() *schema {
		return &schema{Type: "object", AdditionalProperties: false, Properties: props{
			{"status", &schema{Type: []string{"integer", "string"}, Minimum: ptr(100), Maximum: ptr(599), Pattern: templatePattern, Default: 200,
				Description:  "The response's status, 100..599, or text with ${...} that reads as one; default 200.",
				ErrorMessage: "A status from 100 to 599, or a ${...} reference."}},
			{"body", &schema{Ref: textRef, Default: "OK", Description: "The response's body, text with ${...}; default OK."}},
			{"fault", &schema{Enum: faultEnum(), Description: "Breaks the answer instead: reset (the connection is reset: read ECONNRESET), close-mid-body (half the body, then closed: aborted; the body must not be empty), hang (no answer: the step needs a timeout), refuse (nothing listens: connect ECONNREFUSED)."}},
		}}
	}}
)

// typeResponse is what an http step's as binds: value{n: status, s: body}. The Node.js runtime
// passes the response as an object with these fields.
var typeResponse = &valueType{name: "a response", fields: []*field{
	{name: "status", typ: typeInt, get: func(v value) string { return strconv.FormatInt(v.n, 10) }, js: jsField("status")},
	{name: "body", typ: typeString, get: func(v value) string { return v.s }, js: jsField("body")},
}, js: func(v value) any { return &loop.Response{Status: int(v.n), Body: v.s} }}

// httpNeeds returns what an http step needs of the Node.js runtime: the delay server; timers
// for its timeout; an address where nothing listens for fault: refuse.
func httpNeeds(s *step) []nodejs.Feature {
	a := s.arg.(*httpArg)
	needs := []nodejs.Feature{nodejs.HTTP}
	if a.timeout > 0 || a.timeoutV != nil {
		needs = append(needs, nodejs.Timers)
	}
	if a.reply.Fault == delay.FaultRefuse {
		needs = append(needs, nodejs.Refuse)
	}
	return needs
}

// maxBody bounds a respond body: under the real clock it is sent to the delay server in a
// request header, which the server takes up to 1 MiB, quoted.
const maxBody = 64 << 10

func decodeHTTPKey(p *problems, s *step, k, v *yaml.Node) {
	a := s.arg.(*httpArg)
	switch k.Value {
	case "delay":
		decodeDurationKey(p, s, "delay", v, &a.reply.Delay, &a.delayV)
	case "timeout":
		if vr, ok := decodeVarying(p, s, "timeout", v); ok {
			a.timeoutV = vr
		} else if d, ok := duration(p, v, "timeout"); ok && d == 0 {
			p.at(v, "timeout must be more than 0; leave it out for no timeout")
		} else {
			a.timeout = d
		}
	case "respond":
		decodeRespond(p, s, a, v)
	}
}

func decodeRespond(p *problems, s *step, a *httpArg, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.at(n, "respond must be a mapping with status and body; got %s", describe(n))
		return
	}
	for _, kv := range pairs(p, n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "status":
			if vr, ok := decodeVarying(p, s, "status", v); ok {
				a.statusV = vr
			} else if st, ok := intValue(p, v, "status", 100, 599); ok {
				a.reply.Status = st
			}
		case "body":
			if vr, ok := decodeVarying(p, s, "body", v); ok {
				a.bodyV = vr
				break
			}
			b, ok := scalarString(p, v, "body")
			if t, err := parseTemplate(b); ok && err == nil { // static: $$ is a $
				b, _ = t.static()
			}
			switch {
			case ok && len(b) > maxBody:
				p.at(v, "body must be at most %d bytes; got %d", maxBody, len(b))
			case ok:
				a.reply.Body = b
			}
		case "fault":
			f := delay.Fault(v.Value)
			if v.Kind != yaml.ScalarNode || !slices.Contains(delay.Faults, f) {
				p.at(v, "fault must be one of %s; got %s", faultNames(), describe(v))
				break
			}
			a.reply.Fault, a.faultPos = f, p.pos(v)
		default:
			p.at(k, "unknown key %q in respond%s: expected status, body or fault", k.Value, suggest(k.Value, []string{"status", "body", "fault"}))
		}
	}
}

// checkFault reports a fault that cannot work as the step asks: a hang that nothing ends, or a
// body too short to cut.
func checkFault(c *checker, s *step) {
	a := s.arg.(*httpArg)
	switch {
	case a.reply.Fault == delay.FaultHang && a.timeout == 0 && a.timeoutV == nil:
		c.errorAt(a.faultPos, "fault hang: the server never answers, so the request never ends: give the http step a timeout")
	case a.reply.Fault == delay.FaultCloseMidBody && a.reply.Body == "" && a.bodyV == nil:
		c.errorAt(a.faultPos, "fault close-mid-body: the server sends half the body, so the body must not be empty")
	}
}

// faultNames lists the faults the delay server can inject, for messages and help.
func faultNames() string {
	names := make([]string, len(delay.Faults))
	for i, f := range delay.Faults {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// ask returns what a run of the step with e in scope asks the delay server for, and its
// timeout: the fixed values, with the values of the keys that hold ${...} read in, in the order
// the Node.js program reads them (jsHTTP).
func (a *httpArg) ask(e *env) (reply delay.Reply, timeout time.Duration, err error) {
	reply, timeout = a.reply, a.timeout
	if a.delayV != nil {
		if reply.Delay, err = a.delayV.duration(e); err != nil {
			return
		}
	}
	if a.statusV != nil {
		if reply.Status, err = a.statusV.integer(e, 100, 599); err != nil {
			return
		}
	}
	if a.bodyV != nil {
		reply.Body = a.bodyV.text(e)
		switch {
		case len(reply.Body) > maxBody:
			return reply, 0, fmt.Errorf("body: must be at most %d bytes; got %d", maxBody, len(reply.Body))
		case reply.Body == "" && reply.Fault == delay.FaultCloseMidBody:
			return reply, 0, errors.New(`body "": fault close-mid-body sends half the body, so it must not be empty`)
		}
	}
	if a.timeoutV != nil {
		if timeout, err = a.timeoutV.duration(e); err == nil && timeout == 0 {
			err = fmt.Errorf("timeout %q: must be more than 0", a.timeoutV.text(e))
		}
	}
	return
}

func compileHTTP(c *compiler, s *step) action {
	a := s.arg.(*httpArg)
	out, src, t, reply, timeout := c.outcome(s), newOpSource(s), s.text, a.reply, a.timeout
	varies := a.delayV != nil || a.timeoutV != nil || a.statusV != nil || a.bodyV != nil
	tm := Timing{Step: s.pos, Key: "delay"}
	var closed action
	if len(s.closed) > 0 {
		closed = c.fnBody(s, s.closed)
	}
	return func(r *runner, e *env) {
		asked, timeout := reply, timeout
		if varies {
			var err error
			if asked, timeout, err = a.ask(e); err != nil {
				r.failAt(s, err)
				return
			}
		}
		path := t.render(e)
		req := &loop.Request{Source: src.with(path), Path: path, Timeout: timeout}
		if r.perturb != nil {
			asked.Delay = r.duration(tm, asked.Delay)
		}
		// Each backend reads it: the virtual one simulates the delay server (serveVirtual), the
		// real one asks the delay server for it (realBackend.Get).
		req.Reply = asked
		req.Done = func(resp *loop.Response, err error) {
			var v value
			if resp != nil {
				v = value{s: resp.Body, n: int64(resp.Status)}
			}
			out(r, e, v, err)
		}
		if closed != nil {
			req.Closed = func() { r.cur = s; closed(r, e); r.ran(s.pos) }
		}
		if r.setUpHTTP(s.pos, req) {
			r.loop.Get(req)
		}
	}
}

// jsHTTP writes a get: the request (its path, the headers that ask the delay server for its
// reply, its timeout in milliseconds and as looptest words it, whether it goes where nothing
// listens), then, the error callback and, if any, the closed steps.
func jsHTTP(g *jsGen, s *step) {
	a := s.arg.(*httpArg)
	h := a.reply.Header()
	headers := make([]string, len(h))
	for i, kv := range h {
		value := nodejs.Quote(kv[1], '\'')
		if vr := map[string]*varying{delay.HeaderDelay: a.delayV, delay.HeaderStatus: a.statusV, delay.HeaderBody: a.bodyV}[kv[0]]; vr != nil {
			value = g.param(s, vr)
		}
		headers[i] = nodejs.Quote(kv[0], '\'') + ": " + value
	}
	req := "{ path: " + g.template(s.text) + ", headers: { " + strings.Join(headers, ", ") + " }"
	switch {
	case a.timeoutV != nil:
		req += ", timeout: " + g.param(s, a.timeoutV)
	case a.timeout > 0:
		req += fmt.Sprintf(", timeout: [%s, %s]", nodejs.Millis(a.timeout), nodejs.Quote(a.timeout.String(), '\''))
	}
	if a.reply.Fault == delay.FaultRefuse {
		req += ", refuse: true"
	}
	args := []nodejs.Arg{nodejs.Expr(req + " }"), g.then(s), g.onError(s)}
	if len(s.closed) > 0 {
		args = append(args, g.body("", s.closed))
	}
	g.w.Call("get", args...)
}
