package loop

import (
	"errors"
	"fmt"
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
)

// TruncatedError returns the failure of a response whose connection closed after got of the
// want body bytes its Content-Length announced.
func TruncatedError(got, want int) error {
	return fmt.Errorf("response truncated: %d of %d body bytes", got, want)
}
