//go:build linux

package loop

import (
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/looptest/looptest/internal/lttest"
)

// realRunErr runs main on a real loop with opts, its backend going to addr with the deadline of
// opts, and returns Run's error.
func realRunErr(t *testing.T, addr string, opts Options, main func(l *Loop)) error {
	t.Helper()
	b, err := NewReal(RealConfig{Threads: 2, Addr: addr, Deadline: opts.Deadline})
	if err != nil {
		t.Fatal(err)
	}
	opts.Backend = b
	l := New(opts)
	return l.Run(func() { main(l) })
}

// TestRealTimeout checks that a request whose peer never answers fails at its timeout, in the
// timers phase, and that its connection is closed then, not at the end of the run.
func TestRealTimeout(t *testing.T) {
	lttest.NeedRealTime(t)
	peerClosed := make(chan time.Time, 1)
	addr := peer(t, func(c net.Conn) {
		io.Copy(io.Discard, c) // until the client closes
		peerClosed <- time.Now()
	})
	var got []string
	var failedAt time.Time
	realRun(t, addr, func(l *Loop) {
		l.Get(&Request{Source: Label("get"), Path: "/", Timeout: 50 * ms,
			Done: func(r *Response, err error) {
				failedAt = time.Now()
				got = append(got, fmt.Sprint(r, err))
			},
			Closed: func() { got = append(got, "closed") }})
		l.SetTimeout(300*ms, Label("later"), func() { got = append(got, "later") })
	})
	expect(t, got, "<nil> timeout: no response within 50ms", "closed", "later")
	select {
	case at := <-peerClosed:
		if d := at.Sub(failedAt); d > 200*ms {
			t.Errorf("the peer saw the connection close %v after the timeout, want at once", d)
		}
	case <-time.After(5 * time.Second):
		t.Error("the peer never saw the connection close")
	}
}

func TestRealRefusesNonLoopbackRequestAddr(t *testing.T) {
	var got []string
	realRun(t, "127.0.0.1:1", func(l *Loop) {
		l.Get(&Request{Path: "/", Addr: "10.1.2.3:80", Done: func(r *Response, err error) { got = append(got, fmt.Sprint(err)) }})
	})
	expect(t, got, "connect: 10.1.2.3:80 is not a loopback address: looptest never reaches beyond this machine")
}

// TestRealDeadline checks that the wall-clock deadline stops a run that waits for I/O that never
// comes, and one that blocks its thread.
func TestRealDeadline(t *testing.T) {
	addr := peer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	for name, main := range map[string]func(l *Loop){
		"poll": func(l *Loop) { l.Get(&Request{Path: "/"}) },
		"busy": func(l *Loop) { l.Block(time.Hour) },
		"task": func(l *Loop) { l.Submit(&Task{Cost: time.Hour}) },
	} {
		t.Run(name, func(t *testing.T) {
			begin := time.Now()
			err := realRunErr(t, addr, Options{Deadline: begin.Add(100 * ms)}, main)
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != LimitDeadline {
				t.Fatalf("err = %v, want LimitDeadline", err)
			}
			elapsed := time.Since(begin)
			if elapsed < 100*ms {
				t.Errorf("stopped after %v, before the 100ms deadline", elapsed)
			}
			// How soon after the deadline it stops depends on how busy the machine is.
			if lttest.RealTime() && elapsed > 2*time.Second {
				t.Errorf("stopped after %v, want just past 100ms", elapsed)
			}
		})
	}
}

// TestRealFaultsLeaveNothingBehind runs timeouts, refusals and deadline stops on real loops and
// checks that no goroutine, thread or descriptor remains.
func TestRealFaultsLeaveNothingBehind(t *testing.T) {
	hang := peer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	ln.Close()
	run := func() {
		err := realRunErr(t, hang, Options{Deadline: time.Now().Add(60 * ms)}, func(l *Loop) {
			for range 3 {
				l.Get(&Request{Path: "/", Timeout: 10 * ms})
				l.Get(&Request{Path: "/", Addr: refused})
				l.Submit(&Task{Cost: time.Hour})
			}
			l.Get(&Request{Path: "/"}) // hangs until the deadline
		})
		if !errors.Is(err, ErrLimit) {
			t.Fatalf("err = %v, want ErrLimit", err)
		}
	}
	run() // the runtime keeps the threads and goroutines it starts once
	lttest.CheckLeaks(t)
	for range 5 {
		run()
	}
}

// TestRealTimeoutIsTheSockets checks that the real backend refreshes a request's timeout as
// Node's socket does (testdata/probes/socket-timeout.cjs): at the connect, so that a block in
// main shorter than the timeout does not use it up, and at each read, so that a response whose
// pieces come less than the timeout apart is not cut off.
func TestRealTimeoutIsTheSockets(t *testing.T) {
	lttest.NeedRealTime(t)
	answer := func(pieces ...string) string {
		return peer(t, func(c net.Conn) {
			for _, p := range pieces {
				time.Sleep(60 * ms)
				io.WriteString(c, p)
			}
		})
	}
	get := func(l *Loop, got *[]string, timeout time.Duration) {
		l.Get(&Request{Source: Label("get"), Path: "/", Timeout: timeout,
			Done: func(r *Response, err error) { *got = append(*got, fmt.Sprint(r, err)) }})
	}

	var got []string
	realRun(t, answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK"), func(l *Loop) {
		get(l, &got, 150*ms)
		l.Block(100 * ms) // the connect, at 100, starts the 150 ms again: the answer at 160 is in time
	})
	expect(t, got, "&{200 OK} <nil>")

	got = nil
	realRun(t, answer("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n", "Connection: close\r\n\r\n", "OK", "OK"), func(l *Loop) {
		get(l, &got, 100*ms) // four pieces 60 ms apart: 240 ms in all, each read within 100 ms
	})
	expect(t, got, "&{200 OKOK} <nil>")
}
