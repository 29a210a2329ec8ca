package loop

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

const ms = time.Millisecond

// run runs main on a virtual loop with the given pool size (and the Serve function of its
// requests, if given) and returns what the callbacks logged.
func run(t *testing.T, threads int, main func(l *Loop, log func(string) func()), serve ...func(*Request) (time.Duration, *Response, error)) []string {
	t.Helper()
	var got []string
	cfg := VirtualConfig{Threads: threads}
	if len(serve) > 0 {
		cfg.Serve = serve[0]
	}
	l := New(Options{Backend: NewVirtual(cfg)})
	log := func(s string) func() { return func() { got = append(got, s) } }
	if err := l.Run(func() { main(l, log) }); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return got
}

func expect(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("order:\n got  %s\n want %s", strings.Join(got, ", "), strings.Join(want, ", "))
	}
}

func TestRule1MainRunsFirst(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.SetTimeout(0, Label("t"), log("timeout"))
		l.SetImmediate(Label("i"), log("immediate"))
		log("main end")()
	})
	expect(t, got, "main end", "immediate", "timeout")
}

func TestRule2TicksBeforeMicrotasks(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.QueueMicrotask(Label("m"), log("microtask"))
		l.NextTick(Label("n"), log("nextTick"))
		l.SetImmediate(Label("i"), log("immediate"))
	})
	expect(t, got, "nextTick", "microtask", "immediate")
}

func TestRule2TickFromMicrotaskWaitsForMicrotasks(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.QueueMicrotask(Label("m1"), func() {
			log("m1")()
			l.NextTick(Label("n"), log("nextTick from m1"))
			l.QueueMicrotask(Label("m2"), log("m2"))
		})
		l.QueueMicrotask(Label("m3"), log("m3"))
	})
	expect(t, got, "m1", "m3", "m2", "nextTick from m1")
}

func TestRule2DrainedBetweenTimers(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.SetTimeout(10*ms, Label("a"), func() {
			log("a")()
			l.QueueMicrotask(Label("m"), log("microtask from a"))
			l.NextTick(Label("n"), log("nextTick from a"))
		})
		l.SetTimeout(10*ms, Label("b"), log("b"))
	})
	expect(t, got, "a", "nextTick from a", "microtask from a", "b")
}

func TestRule3TimersBeforeFirstIteration(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.SetTimeout(1*ms, Label("t"), log("timeout"))
		l.SetImmediate(Label("i"), log("immediate"))
		l.Block(5 * ms) // the timer is due when the loop starts
	})
	expect(t, got, "timeout", "immediate")
}

func TestRule4PhaseOrderAfterIO(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.Get(&Request{Source: Label("get"), Path: "/", Closed: log("closed"), Done: func(*Response, error) {
			log("response")()
			l.SetTimeout(0, Label("t"), log("timeout"))
			l.SetImmediate(Label("i"), log("immediate"))
		}})
	})
	expect(t, got, "response", "immediate", "closed", "timeout")
}

func TestRule5PoolCompletionsInCompletionOrder(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		for _, c := range []int{300, 100, 200} {
			name := fmt.Sprint(c)
			l.Submit(&Task{Source: Label(name), Cost: time.Duration(c) * ms, Done: func(any, error) { log(name)() }})
		}
		l.SetTimeout(150*ms, Label("t"), log("timer 150"))
	})
	expect(t, got, "100", "timer 150", "200", "300")
}

// TestRule5PoolIsOneSource checks that the pool is one source of poll: ready when its first
// task finished (100 ms, before the response at 120 ms), handling it delivers every task finished
// by then, P2 at 150 ms included, before the response (testdata/probes/pool-one-source.cjs).
func TestRule5PoolIsOneSource(t *testing.T) {
	got := run(t, 2, func(l *Loop, log func(string) func()) {
		l.Submit(&Task{Source: Label("P1"), Cost: 100 * ms, Done: func(any, error) { log("P1")() }})
		l.Submit(&Task{Source: Label("P2"), Cost: 150 * ms, Done: func(any, error) { log("P2")() }})
		l.SetTimeout(1*ms, Label("block"), func() { l.Block(200 * ms) })
		l.Get(&Request{Source: Label("get"), Path: "/", Done: func(*Response, error) { log("response")() }})
	}, serveAfter(119*ms)) // written in the first poll, at 1 ms: answered at 120
	expect(t, got, "P1", "P2", "response")
}

// TestRule5SocketReadyFirstGoesFirst checks the other way round: a response that arrived before
// the pool's first task finished comes first.
func TestRule5SocketReadyFirstGoesFirst(t *testing.T) {
	got := run(t, 2, func(l *Loop, log func(string) func()) {
		l.Submit(&Task{Source: Label("P1"), Cost: 100 * ms, Done: func(any, error) { log("P1")() }})
		l.SetTimeout(1*ms, Label("block"), func() { l.Block(200 * ms) })
		l.Get(&Request{Source: Label("get"), Path: "/", Done: func(*Response, error) { log("response")() }})
	}, serveAfter(49*ms))
	expect(t, got, "response", "P1")
}

// TestRule11RequestLeavesAfterCallback checks that a request is written only when its connection
// is handled in poll, after the callback that made it: main blocks 300 ms, so a 100 ms answer
// comes after a 350 ms timer (testdata/probes/http-after-callback.cjs).
func TestRule11RequestLeavesAfterCallback(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.Get(&Request{Source: Label("get"), Path: "/", Done: func(*Response, error) { log("response")() }})
		l.SetTimeout(350*ms, Label("t"), log("timer 350"))
		l.Block(300 * ms)
	}, serveAfter(100*ms))
	expect(t, got, "timer 350", "response")
}

// TestRule11ConnectAfterTheCallbacksTicks checks that the connection is made in a nextTick,
// after those queued before the request: one that blocks delays the request.
func TestRule11ConnectAfterTheCallbacksTicks(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.NextTick(Label("block"), func() { l.Block(300 * ms) })
		l.Get(&Request{Source: Label("get"), Path: "/", Done: func(*Response, error) { log("response")() }})
		l.SetTimeout(350*ms, Label("t"), log("timer 350"))
	}, serveAfter(100*ms))
	expect(t, got, "timer 350", "response")
}

// TestRule11RefusedByTheFirstPoll checks that a refused connection is reported by the first
// poll after the connect, before the immediates main queued (testdata/probes/refused.cjs).
func TestRule11RefusedByTheFirstPoll(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.Get(&Request{Source: Label("get"), Path: "/", Done: func(_ *Response, err error) {
			log("error: " + err.Error())()
			l.SetImmediate(Label("i"), log("immediate queued in error"))
		}})
		l.SetImmediate(Label("i1"), func() {
			log("immediate 1")()
			l.SetImmediate(Label("i2"), log("immediate 2"))
		})
	}, func(*Request) (time.Duration, *Response, error) { return 0, nil, ErrConnRefused })
	expect(t, got, "error: connect ECONNREFUSED", "immediate 1", "immediate queued in error", "immediate 2")
}

// TestRule11TimeoutIsTheSocketsTimeout checks that a request's Timeout is Node's socket timeout
// (testdata/probes/socket-timeout.cjs): refreshed when the connection is up, it goes behind a
// timer of its delay armed after the request (part A); it counts from the connect, so a block
// in main shorter than it does not use it up (part C); a longer one does, before the first poll
// (part B).
func TestRule11TimeoutIsTheSocketsTimeout(t *testing.T) {
	get := func(l *Loop, log func(string) func(), timeout time.Duration) {
		l.Get(&Request{Source: Label("get"), Path: "/", Timeout: timeout, Done: func(_ *Response, err error) {
			if err != nil {
				log("error: " + err.Error())()
				return
			}
			log("response")()
		}})
	}
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.SetTimeout(100*ms, Label("A"), log("timer A"))
		get(l, log, 100*ms)
		l.SetTimeout(100*ms, Label("B"), log("timer B"))
	}, serveAfter(300*ms))
	expect(t, got, "timer A", "timer B", "error: timeout: no response within 100ms")

	got = run(t, 4, func(l *Loop, log func(string) func()) {
		get(l, log, 100*ms)
		l.Block(150 * ms)
	}, serveAfter(50*ms))
	expect(t, got, "error: timeout: no response within 100ms")

	got = run(t, 4, func(l *Loop, log func(string) func()) {
		get(l, log, 200*ms)
		l.Block(150 * ms)
	}, serveAfter(100*ms))
	expect(t, got, "response")
}

// poll run in the reverse order of their closing (testdata/probes/close-order.cjs).
func TestRule12ClosesLastClosedFirst(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		for _, name := range []string{"req1", "req2", "req3"} {
			l.Get(&Request{Source: Label(name), Path: "/", Done: func(*Response, error) { log(name + " end")() },
				Closed: log(name + " close")})
		}
	})
	expect(t, got, "req1 end", "req2 end", "req3 end", "req3 close", "req2 close", "req1 close")
}

func TestRule6EqualDeadlinesFireInCreationOrder(t *testing.T) {
	var want []string
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		for i := range 100 {
			s := fmt.Sprint(i)
			want = append(want, s)
			l.SetTimeout(50*ms, Label(s), log(s))
		}
	})
	expect(t, got, want...)
}

func TestRule6ClearedWhileDueDoesNotFire(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		var b *Timer
		l.SetTimeout(10*ms, Label("a"), func() { log("a")(); l.ClearTimer(b) })
		b = l.SetTimeout(10*ms, Label("b"), log("b"))
		l.SetTimeout(20*ms, Label("c"), log("c"))
	})
	expect(t, got, "a", "c")
}

func TestRule6TimerFromTimerWaitsForLaterPhase(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.SetTimeout(10*ms, Label("a"), func() {
			log("a")()
			l.SetTimeout(0, Label("nested"), log("nested timeout"))
			l.SetImmediate(Label("i"), log("immediate"))
		})
		l.SetTimeout(10*ms, Label("b"), log("b"))
	})
	expect(t, got, "a", "b", "immediate", "nested timeout")
}

// TestRule6WholeListBeforeTheNext checks that the timers phase runs every due timer of one
// delay's list before the next list, whatever their deadlines: B (100 ms, due at 150) runs
// before C (75 ms, due at 125) because it shares A's list (lib/internal/timers.js
// listOnTimeout; testdata/probes/timer-lists.cjs).
func TestRule6WholeListBeforeTheNext(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.SetTimeout(100*ms, Label("A"), log("A"))
		l.Block(50 * ms)
		l.SetTimeout(100*ms, Label("B"), log("B"))
		l.SetTimeout(75*ms, Label("C"), log("C"))
		l.Block(200 * ms)
	})
	expect(t, got, "A", "B", "C")
}

// TestRule6ListTiesByID checks that of two lists with one expiry, the one made first runs
// first, whatever its delay.
func TestRule6ListTiesByID(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.SetTimeout(160*ms, Label("P"), log("P 160"))
		l.Block(40 * ms)
		l.SetTimeout(120*ms, Label("O"), log("O 120"))
	})
	expect(t, got, "P 160", "O 120")
}

// TestRule6RekeyedListTakesANewID checks that a list left with timers not yet due is keyed anew
// with a new id, so that it loses a tie to a list made before then: R2 (160 ms list, made
// first) runs after Q (120 ms list, made later), both due at 200.
func TestRule6RekeyedListTakesANewID(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.SetTimeout(160*ms, Label("R1"), log("R1"))
		l.SetTimeout(40*ms, Label("s+40"), func() {
			l.SetTimeout(160*ms, Label("R2"), log("R2"))
		})
		l.SetTimeout(80*ms, Label("s+80"), func() {
			l.SetTimeout(120*ms, Label("Q"), log("Q"))
		})
	})
	expect(t, got, "R1", "Q", "R2")
}

// TestRule6TimerArmedInPhaseWaits checks that a timer armed during the timers phase in a list
// being run is not run in that phase, though its delay has passed by the time the list would
// reach it.
func TestRule6TimerArmedInPhaseWaits(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.SetTimeout(10*ms, Label("a"), func() {
			log("a")()
			l.SetTimeout(1*ms, Label("b"), log("b"))
			l.Block(5 * ms)
			l.SetImmediate(Label("i"), log("immediate"))
		})
	})
	expect(t, got, "a", "immediate", "b")
}

// TestRule7WholeMilliseconds checks that timer starts are whole milliseconds: two 10 ms timers
// armed 0.2 ms apart start in one millisecond, share a deadline and run in one timers phase,
// before an immediate the first one queues.
func TestRule7WholeMilliseconds(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.Block(300 * time.Microsecond)
		l.SetTimeout(10*ms, Label("T1"), func() {
			log("T1")()
			l.SetImmediate(Label("i"), log("immediate"))
		})
		l.Block(200 * time.Microsecond)
		l.SetTimeout(10*ms, Label("T2"), log("T2"))
	})
	expect(t, got, "T1", "T2", "immediate")
	// The same timers a millisecond apart are two phases.
	got = run(t, 4, func(l *Loop, log func(string) func()) {
		l.SetTimeout(10*ms, Label("U1"), func() {
			log("U1")()
			l.SetImmediate(Label("i"), log("immediate"))
		})
		l.Block(ms)
		l.SetTimeout(10*ms, Label("U2"), log("U2"))
	})
	expect(t, got, "U1", "immediate", "U2")
}

// TestRule7SetTimeoutRefreshesLoopTime checks that setTimeout reads the clock afresh and makes
// it the cached loop time: in a timer callback that blocks, a timer armed after the block
// starts after it, and poll's timeout counts from the fresh time.
func TestRule7SetTimeoutRefreshesLoopTime(t *testing.T) {
	l := New(Options{Backend: NewVirtual(VirtualConfig{})})
	var cached time.Duration
	err := l.Run(func() {
		l.Block(50 * ms)
		l.SetTimeout(20*ms, Label("t"), func() {})
		cached = l.time
	})
	if err != nil || cached != 50*ms {
		t.Errorf("loop time after setTimeout = %v (%v), want the fresh 50ms", cached, err)
	}
}

// TestRule7FractionalDelay checks that a delay with a fraction of a millisecond is truncated, as
// Node's insert does (MathTrunc): a 1.5 ms timeout runs at 1 ms, before a 1 ms timeout armed
// after it (node -e "setTimeout(..,1.5); setTimeout(..,1)" prints 1.5 first, 5 runs of 5).
func TestRule7FractionalDelay(t *testing.T) {
	var at time.Duration
	l := New(Options{Backend: NewVirtual(VirtualConfig{})})
	err := l.Run(func() { l.SetTimeout(1500*time.Microsecond, Label("t"), func() { at = l.Now() }) })
	if err != nil || at != ms {
		t.Errorf("a 1.5ms timeout ran at %v (%v), want 1ms", at, err)
	}
}

func TestRule7DeadlineFromFreshTime(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.SetTimeout(100*ms, Label("a"), log("a 100ms"))
		l.Block(60 * ms)
		l.SetTimeout(50*ms, Label("b"), log("b 50ms after 60ms")) // due at 110ms
	})
	expect(t, got, "a 100ms", "b 50ms after 60ms")
}

func TestRule7IntervalRearmedFromCallbackStart(t *testing.T) {
	var at []time.Duration
	run(t, 4, func(l *Loop, log func(string) func()) {
		var iv *Timer
		iv = l.SetInterval(100*ms, Label("iv"), func() {
			at = append(at, l.Now())
			l.Block(30 * ms)
			if len(at) == 3 {
				l.ClearTimer(iv)
			}
		})
	})
	if want := []time.Duration{100 * ms, 200 * ms, 300 * ms}; !slices.Equal(at, want) {
		t.Errorf("interval ran at %v, want %v", at, want)
	}
}

func TestRule8ImmediateQueuedDuringCheckRunsNextIteration(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.SetTimeout(1*ms, Label("t"), log("timeout"))
		l.SetImmediate(Label("a"), func() {
			log("a")()
			l.Block(5 * ms)
			l.SetImmediate(Label("b"), log("b"))
		})
	})
	expect(t, got, "a", "timeout", "b")
}

func TestRule8ClearedImmediateInBatchDoesNotRun(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		var b *Immediate
		l.SetImmediate(Label("a"), func() { log("a")(); l.ClearImmediate(b) })
		b = l.SetImmediate(Label("b"), log("b"))
		l.SetImmediate(Label("c"), log("c"))
	})
	expect(t, got, "a", "c")
}

func TestRule9LoopTimeCachedDuringTimers(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.SetTimeout(1*ms, Label("a"), func() {
			log("a")()
			l.Block(10 * ms) // b's deadline passes, but the cached loop time stays at 1ms
			l.SetImmediate(Label("i"), log("immediate"))
		})
		l.SetTimeout(5*ms, Label("b"), log("b"))
	})
	expect(t, got, "a", "immediate", "b")
}

func TestPollTimeout(t *testing.T) {
	tests := []struct {
		name string
		set  func(l *Loop)
		want time.Duration
	}{
		{"nothing alive", func(l *Loop) {}, 0},
		{"immediate queued", func(l *Loop) { l.SetImmediate(Label("i"), func() {}); l.SetTimeout(50*ms, Label("t"), func() {}) }, 0},
		{"close pending", func(l *Loop) { l.closing = append(l.closing, callback{}) }, 0},
		{"nearest timer", func(l *Loop) { l.SetTimeout(80*ms, Label("a"), func() {}); l.SetTimeout(30*ms, Label("b"), func() {}) }, 30 * ms},
		{"timer overdue", func(l *Loop) { l.SetTimeout(10*ms, Label("a"), func() {}); l.Block(20 * ms); l.updateTime() }, 0},
		{"only I/O", func(l *Loop) { l.Submit(&Task{Cost: ms}) }, Forever},
		{"timer and I/O", func(l *Loop) { l.Submit(&Task{Cost: ms}); l.SetTimeout(7*ms, Label("a"), func() {}) }, 7 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(Options{})
			tt.set(l)
			if got := l.pollTimeout(); got != tt.want {
				t.Errorf("pollTimeout() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAlive(t *testing.T) {
	tests := []struct {
		name string
		set  func(l *Loop)
		want bool
	}{
		{"empty", func(l *Loop) {}, false},
		{"timer", func(l *Loop) { l.SetTimeout(ms, Label("t"), func() {}) }, true},
		{"cleared timer", func(l *Loop) { l.ClearTimer(l.SetTimeout(ms, Label("t"), func() {})) }, false},
		{"unref'd timer", func(l *Loop) { l.Unref(l.SetTimeout(ms, Label("t"), func() {})) }, false},
		{"unref'd timer, refreshed", func(l *Loop) {
			tm := l.SetInterval(ms, Label("t"), func() {})
			l.Unref(tm)
			l.Refresh(tm)
		}, false},
		{"immediate", func(l *Loop) { l.SetImmediate(Label("i"), func() {}) }, true},
		{"cleared immediate", func(l *Loop) { l.ClearImmediate(l.SetImmediate(Label("i"), func() {})) }, false},
		{"task", func(l *Loop) { l.Submit(&Task{}) }, true},
		{"request", func(l *Loop) { l.Get(&Request{}) }, true},
		{"close", func(l *Loop) { l.closing = append(l.closing, callback{}) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(Options{})
			tt.set(l)
			if got := l.alive(); got != tt.want {
				t.Errorf("alive() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPoolQueuesFIFOOnLowestFreeWorker(t *testing.T) {
	type run struct {
		name          string
		worker        int
		start, finish time.Duration
	}
	var got []run
	l := New(Options{Backend: NewVirtual(VirtualConfig{Threads: 2})})
	err := l.Run(func() {
		for i, c := range []time.Duration{100 * ms, 50 * ms, 10 * ms, 10 * ms} {
			task := &Task{Source: Label(fmt.Sprint(i)), Cost: c}
			task.Done = func(any, error) {
				got = append(got, run{task.Source.String(), task.Worker, task.Started, task.Finished})
			}
			l.Submit(task)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []run{
		{"1", 1, 0, 50 * ms},
		{"2", 1, 50 * ms, 60 * ms},
		{"3", 1, 60 * ms, 70 * ms},
		{"0", 0, 0, 100 * ms},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestPoolHasNoQueueLimit(t *testing.T) {
	n := 0
	l := New(Options{})
	err := l.Run(func() {
		for range 10_000 {
			l.Submit(&Task{Cost: ms, Done: func(any, error) { n++ }})
		}
	})
	if err != nil || n != 10_000 {
		t.Fatalf("ran %d of 10000 tasks, err %v", n, err)
	}
}

func TestTaskResultAndPanic(t *testing.T) {
	var results []string
	l := New(Options{})
	err := l.Run(func() {
		l.Submit(&Task{Work: func() (any, error) { return 42, nil }, Done: func(r any, err error) {
			results = append(results, fmt.Sprint(r, err))
		}})
		l.Submit(&Task{Work: func() (any, error) { panic("boom") }, Done: func(r any, err error) {
			results = append(results, fmt.Sprint(r, err))
		}})
	})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, results, "42 <nil>", "<nil> panic in a pool task: boom")
}

func TestFailStopsAfterCurrentCallback(t *testing.T) {
	var got []string
	boom := errors.New("boom")
	l := New(Options{})
	err := l.Run(func() {
		l.SetImmediate(Label("a"), func() {
			got = append(got, "a")
			l.Fail(boom)
			l.NextTick(Label("n"), func() { got = append(got, "tick") })
		})
		l.SetImmediate(Label("b"), func() { got = append(got, "b") })
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	expect(t, got, "a")
}

func TestRunTwice(t *testing.T) {
	l := New(Options{})
	if err := l.Run(func() {}); err != nil {
		t.Fatal(err)
	}
	if err := l.Run(func() {}); err == nil {
		t.Fatal("second Run succeeded")
	}
}

func TestTraceIsDeterministic(t *testing.T) {
	trace := func() string {
		var rec Recorder
		l := New(Options{Recorder: &rec})
		err := l.Run(func() {
			l.Submit(&Task{Source: Label("read"), Cost: time.Second})
			l.SetTimeout(0, Label("timeout"), func() { l.NextTick(Label("tick"), func() {}) })
			l.SetImmediate(Label("immediate"), func() { l.QueueMicrotask(Label("micro"), func() {}) })
			l.Get(&Request{Source: Label("get"), Closed: func() {}})
		})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := WriteTrace(&b, rec.Events()); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	a, b := trace(), trace()
	if a != b {
		t.Fatalf("two runs traced differently:\n%s\n---\n%s", a, b)
	}
	for _, want := range []string{"pool0  ", "received a task: read", "finished a task: read", "run immediate", "close callback of get", "===== tick 1 ====="} {
		if !strings.Contains(a, want) {
			t.Errorf("trace lacks %q:\n%s", want, a)
		}
	}
}

func TestTiesReversed(t *testing.T) {
	var got []string
	l := New(Options{Backend: NewVirtual(VirtualConfig{Ties: TiesReversed})})
	err := l.Run(func() {
		l.Submit(&Task{Cost: 100 * ms, Done: func(any, error) { got = append(got, "task a") }})
		l.Submit(&Task{Cost: 100 * ms, Done: func(any, error) { got = append(got, "task b") }})
		l.SetTimeout(100*ms, Label("t"), func() { got = append(got, "timer") })
	})
	if err != nil {
		t.Fatal(err)
	}
	// In order, both tasks would come out of the poll at 100ms, a before b, then the timer.
	expect(t, got, "timer", "task b", "task a")
}

// TestPoolAfterBlock pins the virtual pool when the clock moved by a block: a worker that finished
// while the loop blocked is free for the next task at once, and no task starts before it was
// submitted.
func TestPoolAfterBlock(t *testing.T) {
	type start struct {
		name   string
		worker int
		at     time.Duration
	}
	var got []string
	var starts []start
	l := New(Options{Backend: NewVirtual(VirtualConfig{Threads: 1})})
	task := func(name string, cost time.Duration) *Task {
		tk := &Task{Source: Label(name), Cost: cost}
		tk.Done = func(any, error) {
			got = append(got, name)
			starts = append(starts, start{name, tk.Worker, tk.Started})
		}
		return tk
	}
	err := l.Run(func() {
		l.Submit(task("a", 10*ms))
		l.SetTimeout(70*ms, Label("t"), func() { got = append(got, "timeout") })
		l.Block(50 * ms)
		l.Submit(task("b", 30*ms)) // pool0 has been free since 10ms: b runs 50-80ms, after the timer
	})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, got, "a", "timeout", "b")
	if want := []start{{"a", 0, 0}, {"b", 0, 50 * ms}}; !slices.Equal(starts, want) {
		t.Errorf("starts %v, want %v", starts, want)
	}
}

func TestPoolAfterBlockTakesLowestFreeWorker(t *testing.T) {
	var workers []int
	l := New(Options{Backend: NewVirtual(VirtualConfig{Threads: 3})})
	err := l.Run(func() {
		l.Submit(&Task{Cost: 10 * ms})
		l.Submit(&Task{Cost: 100 * ms})
		l.Block(50 * ms)
		c := &Task{Cost: ms}
		c.Done = func(any, error) { workers = append(workers, c.Worker) }
		l.Submit(c) // pool0 is free again; pool1 is busy; pool2 never was
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(workers, []int{0}) {
		t.Errorf("the task after the block ran on pool%v, want pool0", workers)
	}
}

// TestLoopTimeCached pins rule 9 directly: the cached loop time does not move while callbacks
// run or block; it moves where the loop updates it.
func TestLoopTimeCached(t *testing.T) {
	var seen []time.Duration
	l := New(Options{})
	err := l.Run(func() {
		l.Block(5 * ms)
		seen = append(seen, l.time) // main runs before the first update: 0
		l.SetTimeout(10*ms, Label("t"), func() {
			seen = append(seen, l.time) // the timers phase's time
			l.Block(40 * ms)
			seen = append(seen, l.time, l.Now()) // unchanged by the block; the clock moved
			l.NextTick(Label("n"), func() { seen = append(seen, l.time) })
		})
		l.SetImmediate(Label("i"), func() { seen = append(seen, l.time) }) // after the first poll: 5ms
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{0, 5 * ms, 15 * ms, 15 * ms, 55 * ms, 15 * ms}
	if !slices.Equal(seen, want) {
		t.Errorf("loop times %v, want %v", seen, want)
	}
}

func TestClearFiredTimeoutRecordsNothing(t *testing.T) {
	var rec Recorder
	l := New(Options{Recorder: &rec})
	err := l.Run(func() {
		tm := l.SetTimeout(10*ms, Label("t"), func() {})
		l.SetTimeout(20*ms, Label("later"), func() { l.ClearTimer(tm) })
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range rec.Events() {
		if e.Kind == KindTimerCleared {
			t.Errorf("clearing a timeout that fired was recorded: %v", e)
		}
	}
}

// TestFifoAcrossChunks pushes and pops through many chunks, interleaved, and checks the order.
func TestFifoAcrossChunks(t *testing.T) {
	var q fifo[int]
	next, want := 0, 0
	for round := range 50 {
		for range round * 97 {
			q.push(next)
			next++
		}
		for range round * 61 {
			if q.len() == 0 {
				break
			}
			if got := q.front(); got != want {
				t.Fatalf("front %d, want %d", got, want)
			}
			if got := q.pop(); got != want {
				t.Fatalf("popped %d, want %d", got, want)
			}
			want++
		}
	}
	for q.len() > 0 {
		if got := q.pop(); got != want {
			t.Fatalf("popped %d, want %d", got, want)
		}
		want++
	}
	if want != next {
		t.Fatalf("popped %d items, pushed %d", want, next)
	}
}
