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
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
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
