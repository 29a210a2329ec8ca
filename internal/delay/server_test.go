package delay

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/looptest/looptest/internal/lttest"
)

// start starts a server and closes it when the test ends.
func start(t *testing.T) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// send opens a connection to addr and sends a request on it, with the
// header lines given and body, if not empty. It fails the test on error.
func send(t *testing.T, addr, method, path string, header [][2]string, body string) net.Conn {
	t.Helper()
	conn, err := request(addr, method, path, header, body)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// request is send for any goroutine: it returns its error.
func request(addr, method, path string, header [][2]string, body string) (net.Conn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, addr)
	for _, h := range header {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	if body != "" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n" + body)
	if _, err := io.WriteString(conn, b.String()); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// answer reads everything the server sends on conn until it closes it,
// then closes conn.
func answer(conn net.Conn) (string, error) {
	defer conn.Close()
	b, err := io.ReadAll(conn)
	return string(b), err
}

// response returns the raw response that carries reply.
func response(status int, text, body string) string {
	return fmt.Sprintf("HTTP/1.1 %d %s\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n"+
		"Content-Length: %d\r\n"+
		"Connection: close\r\n\r\n%s", status, text, len(body), body)
}

// waitFor polls cond until it holds, or fails the test after 5 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestServerListensOnLoopback(t *testing.T) {
	s := start(t)
	host, port, err := net.SplitHostPort(s.Addr())
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Errorf("Addr() = %q, want 127.0.0.1 and a port", s.Addr())
	}
}

func TestServerAnswersAfterDelay(t *testing.T) {
	s := start(t)
	client := &http.Client{
		Transport:     &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	req, err := http.NewRequest("GET", "http://"+s.Addr()+"/any/path", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range (Reply{Delay: 50 * time.Millisecond, Status: 302, Body: "Found"}).Header() {
		req.Header.Set(h[0], h[1])
	}

	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 302 || string(body) != "Found" {
		t.Errorf("got %d %q, want 302 \"Found\"", resp.StatusCode, body)
	}
	if resp.ContentLength != 5 || !resp.Close {
		t.Errorf("Content-Length %d, close %v; want 5, true", resp.ContentLength, resp.Close)
	}
	if elapsed < 50*time.Millisecond {
		t.Errorf("answered after %v, want at least 50ms", elapsed)
	}
}

func TestServerAnswersAsAsked(t *testing.T) {
	s := start(t)
	tests := []struct {
		name         string
		method, path string
		header       [][2]string
		body         string
		want         string
	}{{
		name:   "no headers",
		method: "GET", path: "/",
		want: response(200, "OK", "OK"),
	}, {
		name:   "any method and path",
		method: "DELETE", path: "/a/b?c=d",
		header: Reply{Status: 201, Body: "made"}.Header(),
		want:   response(201, "Created", "made"),
	}, {
		name:   "request with a body",
		method: "POST", path: "/upload",
		header: Reply{Status: 200, Body: "got it"}.Header(),
		body:   strings.Repeat("x", 100_000),
		want:   response(200, "OK", "got it"),
	}, {
		name:   "multi-line body",
		method: "GET", path: "/",
		header: Reply{Status: 200, Body: "a\r\nb\n\n%"}.Header(),
		want:   response(200, "OK", "a\r\nb\n\n%"),
	}, {
		name:   "empty body",
		method: "GET", path: "/",
		header: Reply{Status: 200, Body: ""}.Header(),
		want:   response(200, "OK", ""),
	}, {
		name:   "body even with 204",
		method: "GET", path: "/",
		header: Reply{Status: 204, Body: "OK"}.Header(),
		want:   response(204, "No Content", "OK"),
	}, {
		name:   "1xx is the answer",
		method: "GET", path: "/",
		header: Reply{Status: 103, Body: "early"}.Header(),
		want:   response(103, "Early Hints", "early"),
	}, {
		name:   "status without text",
		method: "GET", path: "/",
		header: Reply{Status: 599, Body: "?"}.Header(),
		want:   response(599, "status code 599", "?"),
	}, {
		name:   "no body to HEAD",
		method: "HEAD", path: "/",
		header: Reply{Status: 200, Body: "four"}.Header(),
		want:   strings.TrimSuffix(response(200, "OK", "four"), "four"),
	}, {
		name:   "malformed status",
		method: "GET", path: "/",
		header: [][2]string{{HeaderDelay, "1h"}, {HeaderStatus, "2xx"}},
		want:   response(400, "Bad Request", `Looptest-Status: bad value "2xx": not an integer`),
	}, {
		name:   "malformed delay",
		method: "GET", path: "/",
		header: [][2]string{{HeaderDelay, "soon"}},
		want:   response(400, "Bad Request", `Looptest-Delay: bad value "soon": time: invalid duration "soon"`),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := answer(send(t, s.Addr(), tt.method, tt.path, tt.header, tt.body))
			if err != nil {
				t.Fatalf("reading the answer: %v (got %q)", err, got)
			}
			if got != tt.want {
				t.Errorf("answer:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

func TestServerConcurrentRequests(t *testing.T) {
	const n, delay = 200, 100 * time.Millisecond
	s := start(t)
	want := response(200, "OK", "OK")
	header := Reply{Delay: delay, Status: 200, Body: "OK"}.Header()

	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			conn, err := request(s.Addr(), "GET", "/", header, "")
			if err != nil {
				t.Error(err)
				return
			}
			got, err := answer(conn)
			if err != nil || got != want {
				t.Errorf("answer %q, %v; want %q", got, err, want)
			}
		})
	}
	wg.Wait()
	// One after the other, they would take 20s.
	if elapsed := time.Since(start); elapsed < delay || lttest.RealTime() && elapsed > 5*time.Second {
		t.Errorf("%d requests delayed %v took %v, want from %v to 5s", n, delay, elapsed, delay)
	}
}

// TestServerManyConnections checks that thousands of requests wait at the
// same time; the server sets no small limit.
func TestServerManyConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("opens thousands of connections")
	}
	// Each connection takes a file descriptor here and one in the server.
	n := min(5000, (maxOpenFiles()-100)/2)
	if n < 1000 {
		t.Skipf("too few file descriptors for 1000 connections: %d", maxOpenFiles())
	}
	s := start(t)
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = send(t, s.Addr(), "GET", "/", Reply{Delay: time.Hour, Status: 200, Body: "OK"}.Header(), "")
	}
	waitFor(t, fmt.Sprintf("%d requests to wait", n), func() bool { return s.waiting.Load() == int64(n) })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range conns {
		if got, err := answer(c); got != "" || err != nil {
			t.Fatalf("answer after Close: %q, %v; want none", got, err)
		}
	}

	// And they are answered, all at about the same time.
	s = start(t)
	header := Reply{Delay: 500 * time.Millisecond, Status: 200, Body: "OK"}.Header()
	begin := time.Now()
	for i := range conns {
		conns[i] = send(t, s.Addr(), "GET", "/", header, "")
	}
	want := response(200, "OK", "OK")
	for _, c := range conns {
		if got, err := answer(c); got != want || err != nil {
			t.Fatalf("answer %q, %v; want %q", got, err, want)
		}
	}
	// One after the other, they would take n/2 seconds.
	if elapsed := time.Since(begin); lttest.RealTime() && elapsed > 30*time.Second {
		t.Errorf("%d requests delayed 500ms took %v, want under 30s", n, elapsed)
	}
}

func TestServerCloseWhileWaiting(t *testing.T) {
	const n = 20
	before := runtime.NumGoroutine()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	header := Reply{Delay: time.Hour, Status: 200, Body: "OK"}.Header()
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = send(t, s.Addr(), "GET", "/", header, "")
	}
	idle, err := net.Dial("tcp", s.Addr()) // a connection without request
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	waitFor(t, "requests to wait", func() bool { return s.waiting.Load() == n })

	// Close returns without waiting out the hour; with LOOPTEST_REAL=1, it must be prompt.
	begin := time.Now()
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if elapsed := time.Since(begin); lttest.RealTime() && elapsed > time.Second {
		t.Errorf("Close took %v with requests waiting, want it prompt", elapsed)
	}
	for _, c := range conns {
		if got, err := answer(c); got != "" || err != nil {
			t.Errorf("answer after Close: %q, %v; want none", got, err)
		}
	}
	if got, err := answer(idle); got != "" || err != nil {
		t.Errorf("idle connection after Close: %q, %v; want closed", got, err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if c, err := net.Dial("tcp", s.Addr()); err == nil {
		c.Close()
		t.Error("server accepts connections after Close")
	}
	waitFor(t, fmt.Sprintf("goroutines to exit (%d before Start)", before), func() bool {
		return runtime.NumGoroutine() <= before
	})
}

func TestServerCloseTwiceWithoutRequests(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := s.Close(); err != nil {
			t.Errorf("Close #%d: %v", i+1, err)
		}
	}
	waitFor(t, "goroutines to exit", func() bool { return runtime.NumGoroutine() <= before })
}

func TestServerClientHangsUp(t *testing.T) {
	s := start(t)
	conn := send(t, s.Addr(), "GET", "/", Reply{Delay: time.Hour, Status: 200}.Header(), "")
	waitFor(t, "the request to wait", func() bool { return s.waiting.Load() == 1 })
	conn.Close()
	waitFor(t, "the delay to end", func() bool { return s.waiting.Load() == 0 })
}
