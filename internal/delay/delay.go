// Package delay is looptest's built-in delay server: an HTTP peer on the
// loopback interface that waits, then answers.
//
// A request says what it wants in headers: [HeaderDelay], [HeaderStatus]
// and [HeaderBody] say how long to wait, and the status and body of the
// answer; [HeaderFault], if present, asks for a broken answer instead (a
// reset, a body cut short, no answer at all). [Reply] is that wish as a
// value; [Reply.Header] encodes it and [ParseReply] decodes it, so the event
// loop's HTTP client, the simulated peer of the virtual clock and the
// [Server] all agree on one encoding.
//
// The server answers any method on any path. It listens on 127.0.0.1 only
// and never connects anywhere.
package delay

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The headers of a request that say what the answer must be. Each may be
// left out, which asks for its field of [DefaultReply].
const (
	// HeaderDelay is how long the server waits before it answers, as a Go
	// duration ("2s", "1500ms", "1.5us"); not negative.
	HeaderDelay = "Looptest-Delay"
	// HeaderStatus is the status code of the answer, from 100 to 599.
	HeaderStatus = "Looptest-Status"
	// HeaderBody is the body of the answer, as a double-quoted Go string
	// literal holding only printable ASCII (see [strconv.QuoteToASCII]),
	// so that any body, multi-line, empty or not UTF-8, survives. Percent
	// encoding would not do: it encodes the empty body as an empty value,
	// which cannot be told from an absent header.
	HeaderBody = "Looptest-Body"
	// HeaderFault asks for a fault instead of a well-formed answer: one of
	// the [Fault] values.
	HeaderFault = "Looptest-Fault"
)

// A Fault is a way for an answer to go wrong, for testing how a client
// copes. The zero value is no fault.
type Fault string

// The faults the server can inject. Each is what a client sees on the wire.
const (
	// FaultNone is a well-formed answer.
	FaultNone Fault = ""
	// FaultReset: after the delay, the server resets the connection (a TCP
	// RST) without answering.
	FaultReset Fault = "reset"
	// FaultCloseMidBody: after the delay, the server sends the status line,
	// the headers with the body's full Content-Length, and the first half of
	// the body (len/2 bytes), then closes the connection.
	FaultCloseMidBody Fault = "close-mid-body"
	// FaultHang: the server never answers; it closes the connection when
	// the client does or when the server closes.
	FaultHang Fault = "hang"
	// FaultRefuse: the connection is refused. A server cannot refuse a
	// connection it has already accepted: a client that wants this connects
	// to [Server.ClosedAddr] instead. A request that reaches the server
	// with it anyway gets FaultReset.
	FaultRefuse Fault = "refuse"
)

// Faults lists the faults, in the order the documentation gives them.
var Faults = []Fault{FaultReset, FaultCloseMidBody, FaultHang, FaultRefuse}

func checkFault(f Fault) error {
	if f == FaultNone {
		return nil
	}
	for _, known := range Faults {
		if f == known {
			return nil
		}
	}
	return fmt.Errorf("unknown fault %q: expected reset, close-mid-body, hang or refuse", string(f))
}

// Reply is what a request asks the delay server to answer.
type Reply struct {
	// Delay is how long the server waits before it answers.
	Delay time.Duration
	// Status is the answer's status code, from 100 to 599.
	Status int
	// Body is the answer's body.
	Body string
	// Fault, if not FaultNone, breaks the answer as it says; Status and
	// Body are then used by FaultCloseMidBody only.
	Fault Fault
}

// DefaultReply is what the server answers to a request without headers:
// at once, 200 OK with body "OK". Do not modify it.
var DefaultReply = Reply{Delay: 0, Status: http.StatusOK, Body: "OK"}

// Validate returns an error if r cannot be asked for: a negative delay, a
// status outside 100..599 or an unknown fault.
func (r Reply) Validate() error {
	if err := checkDelay(r.Delay); err != nil {
		return err
	}
	if err := checkStatus(r.Status); err != nil {
		return err
	}
	return checkFault(r.Fault)
}

func checkDelay(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("negative delay %v", d)
	}
	return nil
}

func checkStatus(status int) error {
	if status < 100 || status > 599 {
		return fmt.Errorf("status %d is not from 100 to 599", status)
	}
	return nil
}

// Header returns the header lines, as (name, value) pairs, of a request
// that asks for r: always delay, status and body, in that order, then the
// fault if there is one. Values are printable ASCII. Header does not
// validate r; [ParseReply] rejects what [Reply.Validate] rejects.
func (r Reply) Header() [][2]string {
	h := [][2]string{
		{HeaderDelay, formatDelay(r.Delay)},
		{HeaderStatus, strconv.Itoa(r.Status)},
		{HeaderBody, strconv.QuoteToASCII(r.Body)},
	}
	if r.Fault != FaultNone {
		h = append(h, [2]string{HeaderFault, formatFault(r.Fault)})
	}
	return h
}

// formatFault gives a fault as a header value: a known fault as is, any
// other text quoted, so that it can be sent and is then refused.
func formatFault(f Fault) string {
	if checkFault(f) == nil {
		return string(f)
	}
	return strconv.QuoteToASCII(string(f))
}

// formatDelay formats d as a Go duration in ASCII: "us" replaces "µs".
func formatDelay(d time.Duration) string {
	return strings.Replace(d.String(), "µs", "us", 1)
}

// ParseReply returns the reply that a request asks for. get returns the
// value of the named header, or "" if the request has none, as
// [http.Header.Get] does. Absent headers give the fields of [DefaultReply].
// A malformed or invalid value gives a *[HeaderError].
func ParseReply(get func(name string) string) (Reply, error) {
	r := DefaultReply
	if v := strings.TrimSpace(get(HeaderDelay)); v != "" {
		d, err := time.ParseDuration(v)
		if err == nil {
			err = checkDelay(d)
		}
		if err != nil {
			return Reply{}, &HeaderError{Name: HeaderDelay, Value: v, Err: err}
		}
		r.Delay = d
	}
	if v := strings.TrimSpace(get(HeaderStatus)); v != "" {
		s, err := strconv.Atoi(v)
		if err != nil {
			err = errors.New("not an integer")
		} else {
			err = checkStatus(s)
		}
		if err != nil {
			return Reply{}, &HeaderError{Name: HeaderStatus, Value: v, Err: err}
		}
		r.Status = s
	}
	if v := strings.TrimSpace(get(HeaderBody)); v != "" {
		b, err := unquote(v)
		if err != nil {
			return Reply{}, &HeaderError{Name: HeaderBody, Value: v, Err: err}
		}
		r.Body = b
	}
	if v := strings.TrimSpace(get(HeaderFault)); v != "" {
		if err := checkFault(Fault(v)); err != nil {
			return Reply{}, &HeaderError{Name: HeaderFault, Value: v, Err: err}
		}
		r.Fault = Fault(v)
	}
	return r, nil
}

// unquote decodes a double-quoted Go string literal.
func unquote(v string) (string, error) {
	if v[0] != '"' {
		return "", errors.New("not a double-quoted string")
	}
	s, err := strconv.Unquote(v)
	if err != nil {
		return "", errors.New("not a valid Go string literal")
	}
	return s, nil
}

// HeaderError reports a reply header whose value is malformed or invalid.
type HeaderError struct {
	Name  string // the header's name, such as HeaderDelay
	Value string // its value
	Err   error  // what is wrong with it
}

// Error returns "NAME: bad value VALUE: ERR", the value quoted.
func (e *HeaderError) Error() string {
	return fmt.Sprintf("%s: bad value %q: %v", e.Name, e.Value, e.Err)
}

// Unwrap returns e.Err.
func (e *HeaderError) Unwrap() error { return e.Err }

// Timeouts of the server's connections.
const (
	// readHeaderTimeout bounds how long a client may take to send its
	// request's header.
	readHeaderTimeout = 5 * time.Second
	// writeTimeout bounds how long writing an answer may take, once the
	// delay is over.
	writeTimeout = 10 * time.Second
	// maxBody is how much of a request's body the server reads; the rest
	// is dropped with the connection.
	maxBody = 1 << 20
)

// Server is a running delay server. For every request, whatever its method
// and path, it parses the reply headers, waits the delay and answers with
// the status and body, a Content-Length, "Connection: close", and closes
// the connection, or breaks the answer as the request's [Fault] says. A
// malformed header gets 400 with the error as body. The
// answer is written as is, whatever the status: a body is sent even with
// 1xx, 204 or 304 (a client that asks for those gets exactly what it asked
// for), but never in answer to HEAD. A request's header may not exceed
// 1 MiB ([http.DefaultMaxHeaderBytes]), which bounds the body it can ask for.
//
// A Server's methods may be called from any goroutine.
type Server struct {
	ln     net.Listener
	closed closedPort // reserved for ClosedAddr
	srv    *http.Server
	ctx    context.Context    // parent of every request's context
	cancel context.CancelFunc // cancels ctx: ends every delay
	served chan struct{}      // closed when Serve returns

	mu       sync.Mutex
	closing  bool           // set by Close; no handler starts after it
	handlers sync.WaitGroup // running handlers

	closeOnce sync.Once
	closeErr  error
	serveErr  error // why Serve returned, if not because of Close

	waiting atomic.Int64 // handlers waiting out a delay, for tests
}

// Start starts a delay server listening on 127.0.0.1, on a free port.
// Close it when done.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the delay server: %w", err)
	}
	closed, err := reserveClosedPort()
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("starting the delay server: reserving a closed port: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		ln:     ln,
		closed: closed,
		ctx:    ctx,
		cancel: cancel,
		served: make(chan struct{}),
	}
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(s.serve),
		ReadHeaderTimeout: readHeaderTimeout,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		// Errors (a client that hangs up, too many open files) concern the
		// client, which sees them; they must not pollute looptest's output.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(s.served)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.serveErr = fmt.Errorf("delay server stopped accepting: %w", err)
		}
	}()
	return s, nil
}

// Addr returns the address the server listens on, as "127.0.0.1:PORT".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// ClosedAddr returns an address on 127.0.0.1 where nothing listens, as
// "127.0.0.1:PORT": a connection to it is refused. The port stays reserved
// until Close, so that no other program can start listening on it.
func (s *Server) ClosedAddr() string { return s.closed.addr }

// Close stops the server: it closes the listener and the connections that
// wait for a request, ends the delays of pending requests, whose connections
// are then closed without an answer, and waits for every handler to return.
// Its error reports a failure to close the listener, or to accept
// connections earlier. Close may be called more than once; later calls
// return what the first returned.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		// http.Server.Close closes the listener and the connections it
		// tracks, then Serve returns. Connections that handlers took over
		// to answer are closed by those handlers once s.ctx is done.
		err := s.srv.Close()
		s.cancel()
		s.handlers.Wait()
		<-s.served
		s.closeErr = errors.Join(s.serveErr, err, s.closed.Close())
	})
	return s.closeErr
}

// enter registers a handler that starts; it returns false if the server is
// closing, and the handler must then not run.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.handlers.Add(1)
	return true
}

// serve handles one request.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		s.abort(w)
		return
	}
	defer s.handlers.Done()

	reply, err := ParseReply(r.Header.Get)
	if err != nil {
		reply = Reply{Status: http.StatusBadRequest, Body: err.Error()}
	}
	// Read what the client sent, so that closing the connection with
	// unread data does not reset it before the client reads the answer.
	io.Copy(io.Discard, io.LimitReader(r.Body, maxBody))
	delay := reply.Delay
	if reply.Fault == FaultHang {
		delay = forever
	}
	s.waiting.Add(1)
	waited := wait(r.Context(), delay)
	s.waiting.Add(-1)
	switch {
	case !waited:
		s.abort(w)
	case reply.Fault == FaultReset || reply.Fault == FaultRefuse:
		s.reset(w)
	default:
		s.answer(w, reply, r.Method != http.MethodHead)
	}
}

// forever, as a delay, waits until the client or the server goes away.
const forever time.Duration = 1<<63 - 1

// wait waits for d, or until ctx is done; it reports whether it waited d.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// reset closes the request's connection with a TCP RST, without an answer.
func (s *Server) reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // close sends RST, not FIN
	}
	conn.Close()
}

// abort closes the request's connection without an answer.
func (s *Server) abort(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return // the connection is already gone or being closed
	}
	conn.Close()
}

// answer writes the reply on the request's connection, with its body if
// withBody, and closes the connection. It takes the connection over from
// net/http, which would refuse a body with some statuses and treat 1xx as
// an interim response.
func (s *Server) answer(w http.ResponseWriter, reply Reply, withBody bool) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	// Close must not wait for a client that does not read.
	stop := context.AfterFunc(s.ctx, func() { conn.Close() })
	defer stop()
	conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	writeResponse(buf.Writer, reply, withBody)
	buf.Flush() // an error means the client is gone: nothing left to do
}

// writeResponse writes an HTTP/1.1 response holding reply; with
// FaultCloseMidBody, only the first half of the body.
func writeResponse(w *bufio.Writer, reply Reply, withBody bool) {
	text := http.StatusText(reply.Status)
	if text == "" {
		text = "status code " + strconv.Itoa(reply.Status)
	}
	fmt.Fprintf(w, "HTTP/1.1 %d %s\r\n", reply.Status, text)
	w.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	fmt.Fprintf(w, "Content-Length: %d\r\n", len(reply.Body))
	w.WriteString("Connection: close\r\n\r\n")
	switch {
	case !withBody:
	case reply.Fault == FaultCloseMidBody:
		w.WriteString(reply.Body[:len(reply.Body)/2])
	default:
		w.WriteString(reply.Body)
	}
}
