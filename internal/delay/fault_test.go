package delay

import (
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestServerFaultReset(t *testing.T) {
	s := start(t)
	// The delay counts from when the server read the request, after the send began: a lower
	// bound that load cannot break.
	begin := time.Now()
	conn := send(t, s.Addr(), "GET", "/", Reply{Delay: 20 * time.Millisecond, Status: 200, Body: "OK", Fault: FaultReset}.Header(), "")
	got, err := answer(conn)
	if !errors.Is(err, syscall.ECONNRESET) || got != "" {
		t.Errorf("answer %q, %v; want nothing and ECONNRESET", got, err)
	}
	if elapsed := time.Since(begin); elapsed < 20*time.Millisecond {
		t.Errorf("reset after %v, want after the 20ms delay", elapsed)
	}
}

func TestServerFaultRefuseReachingTheServerResets(t *testing.T) {
	s := start(t)
	got, err := answer(send(t, s.Addr(), "GET", "/", Reply{Status: 200, Body: "OK", Fault: FaultRefuse}.Header(), ""))
	if !errors.Is(err, syscall.ECONNRESET) || got != "" {
		t.Errorf("answer %q, %v; want nothing and ECONNRESET", got, err)
	}
}

func TestServerFaultCloseMidBody(t *testing.T) {
	s := start(t)
	for body, sent := range map[string]string{"0123456789": "01234", "OK": "O", "x": ""} {
		got, err := answer(send(t, s.Addr(), "GET", "/", Reply{Status: 201, Body: body, Fault: FaultCloseMidBody}.Header(), ""))
		if err != nil {
			t.Fatal(err)
		}
		// The headers announce the whole body; half of it follows.
		if want := strings.TrimSuffix(response(201, "Created", body), body) + sent; got != want {
			t.Errorf("body %q: answer %q, want %q", body, got, want)
		}
	}
}

func TestServerFaultHang(t *testing.T) {
	s := start(t)
	conn := send(t, s.Addr(), "GET", "/", Reply{Status: 200, Body: "OK", Fault: FaultHang}.Header(), "")
	waitFor(t, "the request to hang", func() bool { return s.waiting.Load() == 1 })
	conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	var buf [1]byte
	if n, err := conn.Read(buf[:]); n != 0 || !errors.Is(err, syscall.EAGAIN) && !isTimeout(err) {
		t.Fatalf("read %d bytes, %v; want a timeout: no answer", n, err)
	}
	// The client gives up: the server lets go of the request.
	conn.Close()
	waitFor(t, "the hang to end", func() bool { return s.waiting.Load() == 0 })

	// The server closes: a hanging request is closed without an answer.
	conn = send(t, s.Addr(), "GET", "/", Reply{Status: 200, Body: "OK", Fault: FaultHang}.Header(), "")
	waitFor(t, "the request to hang", func() bool { return s.waiting.Load() == 1 })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got, err := answer(conn); got != "" || err != nil {
		t.Errorf("answer after Close: %q, %v; want none", got, err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestServerClosedAddrRefuses(t *testing.T) {
	s := start(t)
	host, _, err := net.SplitHostPort(s.ClosedAddr())
	if err != nil || host != "127.0.0.1" || s.ClosedAddr() == s.Addr() {
		t.Fatalf("ClosedAddr() = %q, want another port on 127.0.0.1 than %s", s.ClosedAddr(), s.Addr())
	}
	for range 3 {
		c, err := net.Dial("tcp", s.ClosedAddr())
		if err == nil {
			c.Close()
			t.Fatal("a connection to ClosedAddr was accepted")
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial ClosedAddr: %v, want ECONNREFUSED", err)
		}
	}
}
