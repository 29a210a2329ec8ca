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
	"sync"
	"sync/atomic"
	"time"
)

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
