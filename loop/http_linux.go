//go:build linux

package loop

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// conn is one HTTP/1.1 GET on a non-blocking socket: connect, write the request, read the
// response until it is complete, then close.
type conn struct {
	fd   int
	req  *Request
	out  []byte // the request bytes not yet written
	in   []byte // the response bytes read so far
	resp *Response
	err  error
}

// Get opens a non-blocking socket to the delay server and registers it with epoll; the request is
// written when the connection is up.
func (r *Real) Get(req *Request) {
	req.Sent = r.Now()
	c := &conn{fd: -1, req: req, out: r.request(req)}
	addr := r.addr
	if req.Addr != "" {
		ap, err := netip.ParseAddrPort(req.Addr)
		if err != nil || !ap.Addr().IsLoopback() {
			c.fail(fmt.Errorf("connect: %s is not a loopback address: looptest never reaches beyond this machine", req.Addr))
			r.failNow(c)
			return
		}
		addr = sockaddr(ap)
	}
	fd, err := unix.Socket(socketFamily(addr), unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		c.fail(fmt.Errorf("socket: %w", err))
		r.failNow(c)
		return
	}
	c.fd = fd
	if err := unix.Connect(fd, addr); err != nil && err != unix.EINPROGRESS {
		c.fail(connectError(err))
		r.failNow(c)
		return
	}
	if err := unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLOUT, Fd: int32(fd)}); err != nil {
		c.fail(fmt.Errorf("epoll_ctl: %w", err))
		r.failNow(c)
		return
	}
	r.conns[int32(fd)] = c
	r.byReq[req] = c
}

// failNow hands back a request that failed before it reached epoll, through the next Poll.
func (r *Real) failNow(c *conn) {
	if c.fd >= 0 {
		unix.Close(c.fd)
	}
	c.req.Ready = r.Now()
	c.req.resp, c.req.err = nil, c.err
	r.mu.Lock()
	r.failed = append(r.failed, c.req)
	r.mu.Unlock()
	r.wake()
}

func socketFamily(sa unix.Sockaddr) int {
	if _, ok := sa.(*unix.SockaddrInet6); ok {
		return unix.AF_INET6
	}
	return unix.AF_INET
}

// request renders the GET request for req.
func (r *Real) request(req *Request) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", requestTarget(req.Path), r.host)
	for _, h := range req.Header {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// requestTarget percent-encodes the bytes of path that may not appear in a request line.
func requestTarget(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c <= ' ' || c >= 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// connectError gives a connection failure a message that is the same on every run: no address,
// no port.
func connectError(err error) error {
	switch {
	case errors.Is(err, unix.ECONNREFUSED):
		return ErrConnRefused
	case errors.Is(err, unix.ETIMEDOUT):
		return errors.New("connect ETIMEDOUT")
	}
	return fmt.Errorf("connect: %w", err)
}

func (c *conn) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// handle advances the connection on an epoll event and reports whether it is finished.
func (c *conn) handle(r *Real, events uint32) bool {
	if len(c.out) > 0 {
		if events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
			return false
		}
		if c.write(r) {
			return true
		}
		return false
	}
	return c.read()
}

// write sends what is left of the request once the connection is up; it reports whether the
// connection failed.
func (c *conn) write(r *Real) bool {
	if soerr, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_ERROR); err != nil || soerr != 0 {
		if err == nil {
			err = unix.Errno(soerr)
		}
		c.fail(connectError(err))
		return true
	}
	for len(c.out) > 0 {
		n, err := unix.Write(c.fd, c.out)
		switch {
		case err == unix.EAGAIN:
			return false
		case err == unix.EINTR:
			continue
		case err != nil:
			c.fail(fmt.Errorf("write: %w", sockError(err)))
			return true
		}
		c.out = c.out[n:]
	}
	if err := unix.EpollCtl(r.epfd, unix.EPOLL_CTL_MOD, c.fd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(c.fd)}); err != nil {
		c.fail(fmt.Errorf("epoll_ctl: %w", err))
		return true
	}
	return false
}

// read takes what the socket has and reports whether the response is complete or failed.
func (c *conn) read() bool {
	var buf [16 << 10]byte
	for {
		n, err := unix.Read(c.fd, buf[:])
		switch {
		case err == unix.EAGAIN:
			return c.parse(false)
		case err == unix.EINTR:
			continue
		case err != nil:
			if c.parse(false) && c.resp != nil {
				return true
			}
			c.fail(readError(err))
			return true
		case n == 0:
			return c.parse(true)
		}
		c.in = append(c.in, buf[:n]...)
		if c.parse(false) {
			return true
		}
	}
}

// readError names a failure to read the response; a reset reads as Node's does.
func readError(err error) error {
	if errors.Is(err, unix.ECONNRESET) {
		return ErrConnReset
	}
	return fmt.Errorf("read %w", err)
}

func sockError(err error) error {
	if errors.Is(err, unix.ECONNRESET) {
		return errors.New("ECONNRESET")
	}
	return err
}

// finish closes the socket and hands the request back as a completion.
func (c *conn) finish(r *Real) *Request {
	c.close(r)
	c.req.Ready = r.Now()
	if c.err != nil {
		c.req.resp, c.req.err = nil, c.err
	} else {
		c.req.resp, c.req.err = c.resp, nil
	}
	return c.req
}

// close unregisters the socket and closes it.
func (c *conn) close(r *Real) {
	unix.EpollCtl(r.epfd, unix.EPOLL_CTL_DEL, c.fd, nil)
	unix.Close(c.fd)
	delete(r.conns, int32(c.fd))
	delete(r.byReq, c.req)
}

// parse tries to read a whole response from c.in: status line, headers, and a body delimited by
// Content-Length, chunked encoding, or the end of the connection (eof). It reports whether the
// response is complete or malformed.
func (c *conn) parse(eof bool) bool {
	head, body, ok := bytes.Cut(c.in, []byte("\r\n\r\n"))
	if !ok {
		if eof {
			if len(c.in) == 0 {
				c.fail(ErrHangUp)
			} else {
				c.fail(fmt.Errorf("malformed response: the connection closed inside the header (%d bytes)", len(c.in)))
			}
			return true
		}
		if len(c.in) > 1<<20 {
			c.fail(errors.New("malformed response: header larger than 1 MiB"))
			return true
		}
		return false
	}
	lines := strings.Split(string(head), "\r\n")
	status, err := statusCode(lines[0])
	if err != nil {
		c.fail(err)
		return true
	}
	length, chunked := -1, false
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			c.fail(fmt.Errorf("malformed response: header line %q", l))
			return true
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "content-length":
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 {
				c.fail(fmt.Errorf("malformed response: Content-Length %q", value))
				return true
			}
			length = n
		case "transfer-encoding":
			chunked = strings.EqualFold(value, "chunked")
		}
	}
	switch {
	case status < 200 || status == 204 || status == 304:
		// No body may follow: Node's parser fails the request on any byte of one.
		if len(body) > 0 {
			c.fail(ErrDataAfterClose)
			return true
		}
		if !eof {
			return false
		}
		body = nil
	case chunked:
		b, complete, err := dechunk(body)
		if err != nil {
			c.fail(err)
			return true
		}
		if !complete {
			if eof {
				c.fail(TruncatedError(len(body), -1))
			}
			return eof
		}
		body = b
	case length >= 0:
		if len(body) < length {
			if eof {
				c.fail(TruncatedError(len(body), length))
			}
			return eof
		}
		body = body[:length]
	case !eof:
		return false // the body ends with the connection
	}
	c.resp = &Response{Status: status, Body: string(body)}
	return true
}

// statusCode reads the status of a status line such as "HTTP/1.1 302 Found".
func statusCode(line string) (int, error) {
	proto, rest, _ := strings.Cut(line, " ")
	code, _, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(code)
	if !strings.HasPrefix(proto, "HTTP/1.") || err != nil || len(code) != 3 || n < 100 {
		return 0, fmt.Errorf("malformed response: status line %q", line)
	}
	return n, nil
}

// dechunk decodes a chunked body, reporting whether it is complete.
func dechunk(b []byte) (body []byte, complete bool, err error) {
	for {
		line, rest, ok := bytes.Cut(b, []byte("\r\n"))
		if !ok {
			return nil, false, nil
		}
		sizeText, _, _ := bytes.Cut(line, []byte(";"))
		size, err := strconv.ParseInt(strings.TrimSpace(string(sizeText)), 16, 32)
		if err != nil || size < 0 {
			return nil, false, fmt.Errorf("malformed response: chunk size %q", line)
		}
		if size == 0 {
			return body, true, nil // trailers, if any, are ignored
		}
		if int64(len(rest)) < size+2 {
			return nil, false, nil
		}
		body = append(body, rest[:size]...)
		b = rest[size+2:]
	}
}
