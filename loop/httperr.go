package loop

import (
	"errors"
)

// Failures of HTTP requests that the real backend reports and a virtual peer can simulate. Their
// messages are the same on every run and under both clocks: no address, no port, as Node.js
// words them where it has words for them.
var (
	// ErrConnRefused: nothing listens where the request goes.
	ErrConnRefused = errors.New("connect ECONNREFUSED")
	// ErrConnReset: the peer reset the connection.
	ErrConnReset = errors.New("read ECONNRESET")
	// ErrHangUp: the peer closed the connection without a byte of response.
	ErrHangUp = errors.New("socket hang up")
	// ErrDataAfterClose: a 1xx, 204 or 304 response came with a body, which Node's HTTP parser
	// refuses in the poll that reads it.
	//lint:ignore ST1005 the message is Node's, word for word
	ErrDataAfterClose = errors.New("Parse Error: Data after `Connection: close`")
)

// An AbortedError is the failure of a response whose connection closed before its body was
// whole. Node says "aborted", and finds out only when the connection closes: the loop delivers it
// in the close phase, after the request's Closed (rule 11).
type AbortedError struct {
	Got  int // the body bytes that came
	Want int // the body bytes announced, or -1 for a chunked body
}

func (e *AbortedError) Error() string { return "aborted" }

// TruncatedError returns the failure of a response whose body was cut short: got bytes of it came
// before the connection closed, of the want its Content-Length announced. Inside a chunked body
// want is -1 and got counts the bytes as they came, chunk sizes and line ends included. The
// virtual peer's close-mid-body fault fails with it too, got being half of want.
func TruncatedError(got, want int) error { return &AbortedError{Got: got, Want: want} }
