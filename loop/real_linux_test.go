//go:build linux

package loop

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/looptest/looptest/internal/lttest"
	"golang.org/x/sys/unix"
)

// peer is a loopback TCP server that answers each connection with handle, for testing the HTTP
// client against well-formed and broken responses.
func peer(t *testing.T, handle func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				buf := make([]byte, 4096)
				n, _ := c.Read(buf) // the request fits in one read
				if !strings.HasPrefix(string(buf[:n]), "GET /") {
					return
				}
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

func answer(s string) func(net.Conn) {
	return func(c net.Conn) { io.WriteString(c, s) }
}

// realRun runs main on a real loop whose HTTP requests go to addr.
func realRun(t *testing.T, addr string, main func(l *Loop)) {
	t.Helper()
	b, err := NewReal(RealConfig{Threads: 2, Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	l := New(Options{Backend: b})
	if err := l.Run(func() { main(l) }); err != nil {
		t.Fatal(err)
	}
}

func TestRealOrdering(t *testing.T) {
	lttest.NeedRealTime(t)
	var got []string
	log := func(s string) func() { return func() { got = append(got, s) } }
	realRun(t, "127.0.0.1:1", func(l *Loop) {
		l.Submit(&Task{Source: Label("slow"), Cost: 150 * ms, Done: func(any, error) { log("task 150ms")() }})
		l.SetTimeout(100*ms, Label("t100"), log("timeout 100ms"))
		l.SetTimeout(50*ms, Label("t50"), func() {
			log("timeout 50ms")()
			l.SetImmediate(Label("i"), log("immediate"))
			l.NextTick(Label("n"), log("nextTick"))
		})
		l.SetImmediate(Label("first"), log("first immediate"))
	})
	expect(t, got, "first immediate", "timeout 50ms", "nextTick", "immediate", "timeout 100ms", "task 150ms")
}

func TestRealTaskHoldsWorkerForCost(t *testing.T) {
	var tasks []*Task
	realRun(t, "127.0.0.1:1", func(l *Loop) {
		for range 3 {
			task := &Task{Cost: 30 * ms, Work: func() (any, error) { return fibonacciForTest(20), nil }}
			task.Done = func(res any, err error) {
				if res != 6765 || err != nil {
					t.Errorf("result %v, %v", res, err)
				}
			}
			tasks = append(tasks, task)
			l.Submit(task)
		}
	})
	// Two workers, three tasks: the third waits for a worker, so it finishes at least two costs in.
	for _, task := range tasks {
		if held := task.Finished - task.Started; held < 30*ms {
			t.Errorf("task held its worker %v, want at least 30ms", held)
		}
	}
	last := slices.MaxFunc(tasks, func(a, b *Task) int { return cmp.Compare(a.Finished, b.Finished) })
	if last.Finished < 60*ms {
		t.Errorf("the third task finished at %v, want at least 60ms", last.Finished)
	}
}

func fibonacciForTest(n int) int {
	if n < 2 {
		return n
	}
	return fibonacciForTest(n-1) + fibonacciForTest(n-2)
}

func TestRealHTTP(t *testing.T) {
	tests := []struct {
		name   string
		handle func(net.Conn)
		want   string
	}{
		{"content-length", answer("HTTP/1.1 302 Found\r\nContent-Length: 5\r\n\r\nFound"), "302 Found"},
		{"chunked", answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\n\r\n"), "200 abcdefg"},
		{"close-delimited", answer("HTTP/1.1 201 Created\r\n\r\nuntil close"), "201 until close"},
		{"slow trickle", func(c net.Conn) {
			for _, part := range []string{"HTTP/1.1 200 OK\r\nContent-", "Length: 4\r\n\r\nab", "cd"} {
				io.WriteString(c, part)
				time.Sleep(5 * ms)
			}
		}, "200 abcd"},
		{"truncated", answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), "error: aborted"},
		{"204 with a body", answer("HTTP/1.1 204 No Content\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"), "error: Parse Error: Data after `Connection: close`"},
		{"hang up", func(net.Conn) {}, "error: socket hang up"},
		{"malformed status", answer("HTTP/1.1 OK\r\n\r\n"), `error: malformed response: status line "HTTP/1.1 OK"`},
		{"malformed header", answer("HTTP/1.1 200 OK\r\nno colon\r\n\r\n"), `error: malformed response: header line "no colon"`},
		{"reset", func(c net.Conn) {
			c.(*net.TCPConn).SetLinger(0) // close with RST
		}, "error: read ECONNRESET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := peer(t, tt.handle)
			var got []string
			realRun(t, addr, func(l *Loop) {
				l.Get(&Request{Source: Label("get"), Path: "/x y", Done: func(r *Response, err error) {
					if err != nil {
						got = append(got, "error: "+err.Error())
					} else {
						got = append(got, fmt.Sprintf("%d %s", r.Status, r.Body))
					}
				}, Closed: func() { got = append(got, "closed") }})
			})
			want := []string{tt.want, "closed"}
			switch {
			case tt.name == "reset" && len(got) > 0 && got[0] == "error: socket hang up":
				want[0] = got[0] // a reset before any byte may read as an orderly close
			case tt.name == "truncated":
				want = []string{"closed", tt.want} // found out when the connection closes
			}
			expect(t, got, want...)
		})
	}
}

func TestRealRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var got []string
	realRun(t, addr, func(l *Loop) {
		l.Get(&Request{Path: "/", Done: func(r *Response, err error) { got = append(got, fmt.Sprint(err)) }})
	})
	expect(t, got, "connect ECONNREFUSED")
}

func TestRealRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"10.0.0.1:80", "example.com:80", "8.8.8.8:53"} {
		if _, err := NewReal(RealConfig{Addr: addr}); err == nil {
			t.Errorf("NewReal(%s) succeeded; only loopback addresses are allowed", addr)
		}
	}
}

// TestRealLeavesNothingBehind runs a batch of real loops and checks that no descriptor, no
// goroutine and no OS thread outlives them.
func TestRealLeavesNothingBehind(t *testing.T) {
	addr := peer(t, answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
	run := func() {
		realRun(t, addr, func(l *Loop) {
			for range 5 {
				l.Submit(&Task{Cost: ms})
				l.Get(&Request{Path: "/"})
			}
			l.SetTimeout(2*ms, Label("t"), func() {})
		})
	}
	run() // warm up whatever the runtime keeps for good
	lttest.CheckLeaks(t)
	for range 20 {
		run()
	}
}

// TestRealTraceWhileWorkersRun records a run whose workers start tasks while the loop blocks:
// the trace must learn of a start only through poll (go test -race).
func TestRealTraceWhileWorkersRun(t *testing.T) {
	b, err := NewReal(RealConfig{Threads: 2, Addr: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	var rec Recorder
	l := New(Options{Backend: b, Recorder: &rec})
	err = l.Run(func() {
		l.Submit(&Task{Source: Label("a"), Cost: ms})
		l.Block(5 * ms)
		l.Submit(&Task{Source: Label("b"), Cost: ms})
	})
	if err != nil {
		t.Fatal(err)
	}
	started := 0
	for _, e := range rec.Events() {
		if e.Kind == KindTaskStarted {
			started++
		}
	}
	if started != 2 {
		t.Errorf("%d task starts traced, want 2", started)
	}
}

// badEpoll makes every epoll_wait of a real backend fail: it polls a descriptor that is not an
// epoll instance.
type badEpoll struct{ *Real }

func (b badEpoll) Poll(until time.Duration, done []Completion) ([]Completion, error) {
	epfd := b.epfd
	b.epfd = b.evfd // an eventfd: epoll_wait fails with EINVAL
	defer func() { b.epfd = epfd }()
	return b.Real.Poll(until, done)
}

// TestRealEpollWaitErrorEndsRun checks that an epoll_wait error reaches Run's return value,
// rather than panicking in the poll phase.
func TestRealEpollWaitErrorEndsRun(t *testing.T) {
	r, err := newReal(RealConfig{Threads: 1, Addr: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	l := New(Options{Backend: badEpoll{r}})
	err = l.Run(func() {
		l.SetTimeout(time.Hour, Label("t"), func() { t.Error("the timer ran") })
	})
	if !errors.Is(err, unix.EINVAL) || !strings.Contains(err.Error(), "epoll_wait") {
		t.Errorf("Run returned %v, want the epoll_wait error (EINVAL)", err)
	}
}

// testJob is a Job that squares n, or panics for a negative n.
type testJob struct {
	Task
	n, square int
	err       error
	done      bool
}

func (j *testJob) Work() error {
	if j.n < 0 {
		panic("negative")
	}
	j.square = j.n * j.n
	return nil
}

func (j *testJob) Done(err error) { j.err, j.done = err, true }

// TestJobs: a Task's Job runs in place of Work and Done, on either backend, and a panic in its
// Work reaches its Done as a *PanicError. Under the real clock, a task never starts before it was
// queued nor finishes before it started, however the workers read the clock.
func TestJobs(t *testing.T) {
	check := func(t *testing.T, jobs []*testJob) {
		for _, j := range jobs {
			var pe *PanicError
			switch {
			case !j.done:
				t.Errorf("job %d: Done did not run", j.n)
			case j.n < 0 && !errors.As(j.err, &pe):
				t.Errorf("job %d: error %v, want a *PanicError", j.n, j.err)
			case j.n >= 0 && (j.err != nil || j.square != j.n*j.n):
				t.Errorf("job %d: %d, %v", j.n, j.square, j.err)
			case j.Started < j.Queued || j.Finished < j.Started:
				t.Errorf("job %d: queued %v, started %v, finished %v", j.n, j.Queued, j.Started, j.Finished)
			}
		}
	}
	submit := func(l *Loop) []*testJob {
		var jobs []*testJob
		for i := -1; i < 100; i++ {
			j := &testJob{n: i}
			j.Job = j
			jobs = append(jobs, j)
			l.Submit(&j.Task)
		}
		return jobs
	}
	t.Run("virtual", func(t *testing.T) {
		var jobs []*testJob
		l := New(Options{})
		if err := l.Run(func() { jobs = submit(l) }); err != nil {
			t.Fatal(err)
		}
		check(t, jobs)
	})
	t.Run("real", func(t *testing.T) {
		var jobs []*testJob
		realRun(t, "127.0.0.1:1", func(l *Loop) { jobs = submit(l) })
		check(t, jobs)
	})
}
