package loop

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/looptest/looptest/internal/lttest"
)

// serveAfter answers every virtual request after delay with 200 OK; Forever never answers.
func serveAfter(delay time.Duration) func(*Request) (time.Duration, *Response, error) {
	return func(*Request) (time.Duration, *Response, error) { return delay, &Response{200, "OK"}, nil }
}

func TestRequestTimeoutVirtual(t *testing.T) {
	tests := []struct {
		name    string
		delay   time.Duration
		want    []string
		endedAt time.Duration
	}{
		{"response first", 10 * ms, []string{"200 at 10ms", "closed", "timer at 100ms"}, 100 * ms},
		{"response at the deadline", 50 * ms, []string{"200 at 50ms", "closed", "timer at 100ms"}, 100 * ms},
		{"response too late", time.Hour, []string{"timeout: no response within 50ms at 50ms", "closed", "timer at 100ms"}, 100 * ms},
		{"no response ever", Forever, []string{"timeout: no response within 50ms at 50ms", "closed", "timer at 100ms"}, 100 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			var rec Recorder
			l := New(Options{Recorder: &rec, Backend: NewVirtual(VirtualConfig{Serve: serveAfter(tt.delay)})})
			err := l.Run(func() {
				l.Get(&Request{Source: Label("get"), Path: "/", Timeout: 50 * ms,
					Done: func(r *Response, err error) {
						if err != nil {
							var te *TimeoutError
							if !errors.As(err, &te) {
								t.Errorf("error %v is not a *TimeoutError", err)
							}
							got = append(got, fmt.Sprintf("%v at %v", err, l.Now()))
							return
						}
						got = append(got, fmt.Sprintf("%d at %v", r.Status, l.Now()))
					},
					Closed: func() { got = append(got, "closed") }})
				l.SetTimeout(100*ms, Label("t"), func() { got = append(got, fmt.Sprintf("timer at %v", l.Now())) })
			})
			if err != nil {
				t.Fatal(err)
			}
			expect(t, got, tt.want...)
			if now := l.Now(); now != tt.endedAt {
				t.Errorf("the run ended at %v, want %v: a dropped request must not keep it going", now, tt.endedAt)
			}
			// The timeout's failure runs in the timers phase, as Node's socket timeouts do.
			for _, e := range rec.Events() {
				if e.Kind == KindResponseDone && tt.delay > 50*ms && e.Phase != PhaseTimers {
					t.Errorf("timeout ran in %v, want timers", e.Phase)
				}
			}
		})
	}
}

// TestRequestTimeoutTracesItsID checks that the callback of a timed-out request is traced with
// the request's id, as its sending is, so that a reader of the trace can link the two.
func TestRequestTimeoutTracesItsID(t *testing.T) {
	var rec Recorder
	l := New(Options{Recorder: &rec, Backend: NewVirtual(VirtualConfig{Serve: serveAfter(Forever)})})
	err := l.Run(func() {
		l.Submit(&Task{Source: Label("task")}) // takes id 1, so that the request's is not the first
		l.Get(&Request{Source: Label("get"), Path: "/", Timeout: 50 * ms})
	})
	if err != nil {
		t.Fatal(err)
	}
	var sent, done []Event
	for _, e := range rec.Events() {
		switch {
		case e.Kind == KindRequestSent:
			sent = append(sent, e)
		case e.Kind == KindResponseDone:
			done = append(done, e)
		}
	}
	if len(sent) != 1 || len(done) != 1 {
		t.Fatalf("%d requests sent and %d response callbacks traced, want 1 and 1", len(sent), len(done))
	}
	if sent[0].ID != 2 || done[0].ID != sent[0].ID {
		t.Errorf("request sent with id %d and timed out with id %d, want 2 and 2", sent[0].ID, done[0].ID)
	}
	if done[0].Phase != PhaseTimers || done[0].Time != 50*ms {
		t.Errorf("timeout traced at %v in %v, want 50ms in timers", done[0].Time, done[0].Phase)
	}
}

func TestLimits(t *testing.T) {
	forever := func(l *Loop) func() {
		return func() { l.SetInterval(ms, Label("iv"), func() {}) }
	}
	tests := []struct {
		opts Options
		want Limit
		msg  string
	}{
		{Options{MaxCallbacks: 100}, LimitCallbacks, "more than 100 callbacks ran (MaxCallbacks)"},
		{Options{MaxTime: time.Second}, LimitTime, "the loop time passed 1s (MaxTime)"},
		{Options{Deadline: time.Now()}, LimitDeadline, "the run went on past its wall-clock deadline (Deadline)"},
	}
	for _, tt := range tests {
		l := New(tt.opts)
		err := l.Run(forever(l))
		var le *LimitError
		if !errors.Is(err, ErrLimit) || !errors.As(err, &le) || le.Limit != tt.want || err.Error() != tt.msg {
			t.Errorf("%+v: err = %v, want a LimitError %q", tt.opts, err, tt.msg)
		}
	}
}

// TestMaxTimeBoundsThePoll checks that a loop with nothing but far-off I/O stops just past
// MaxTime instead of jumping to the I/O.
func TestMaxTimeBoundsThePoll(t *testing.T) {
	called := false
	l := New(Options{MaxTime: time.Hour, Backend: NewVirtual(VirtualConfig{Serve: serveAfter(100 * time.Hour)})})
	err := l.Run(func() {
		l.Get(&Request{Path: "/", Done: func(*Response, error) { called = true }})
	})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != LimitTime {
		t.Fatalf("err = %v, want LimitTime", err)
	}
	if now := l.Now(); now != time.Hour+1 || called {
		t.Errorf("stopped at %v (response callback run: %v); want just past 1h, no callback", now, called)
	}
}

// TestDeadlineStopsABusyVirtualLoop checks that a run whose callbacks take real time and no
// virtual time stops at its wall-clock deadline.
func TestDeadlineStopsABusyVirtualLoop(t *testing.T) {
	l := New(Options{Deadline: time.Now().Add(50 * ms)})
	begin := time.Now()
	var again func()
	again = func() { l.SetImmediate(Label("again"), again) }
	err := l.Run(again)
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != LimitDeadline {
		t.Fatalf("err = %v, want LimitDeadline", err)
	}
	if elapsed := time.Since(begin); lttest.RealTime() && elapsed > 5*time.Second {
		t.Errorf("stopped after %v, want about 50ms", elapsed)
	}
}

func TestTaskPanicIsAPanicError(t *testing.T) {
	var got error
	l := New(Options{})
	err := l.Run(func() {
		l.Submit(&Task{Work: func() (any, error) { panic("boom") }, Done: func(_ any, err error) { got = err }})
	})
	var pe *PanicError
	if err != nil || !errors.As(got, &pe) || pe.Value != "boom" || len(pe.Stack) == 0 {
		t.Fatalf("Run: %v; task error %#v, want a *PanicError with boom and a stack", err, got)
	}
}

// TestVirtualClockSaturates blocks for 24 h 106752 times, 292 years and a day, more than an
// int64 of nanoseconds holds: the clock stops at EndOfTime instead of wrapping to a negative
// time, and so passes MaxTime, even one set past the end of time.
func TestVirtualClockSaturates(t *testing.T) {
	for _, max := range []time.Duration{48 * time.Hour, time.Duration(1<<63 - 1)} {
		l := New(Options{MaxTime: max})
		err := l.Run(func() {
			for range 106752 {
				l.Block(24 * time.Hour)
			}
		})
		var le *LimitError
		if !errors.As(err, &le) || le.Limit != LimitTime {
			t.Errorf("MaxTime %v: err = %v, want LimitTime", max, err)
		}
		if now := l.Now(); now != EndOfTime {
			t.Errorf("MaxTime %v: the clock at %v, want EndOfTime", max, now)
		}
	}
}

// TestTimersAtTheEndOfTime runs an interval of 24 h 110000 times with no MaxTime: the ticks
// past 292 years all run at EndOfTime, instead of the deadlines wrapping and the loop spinning
// with nothing due.
func TestTimersAtTheEndOfTime(t *testing.T) {
	l := New(Options{Deadline: time.Now().Add(time.Minute)})
	ticks, last := 0, time.Duration(0)
	err := l.Run(func() {
		var iv *Timer
		iv = l.SetInterval(24*time.Hour, Label("iv"), func() {
			if now := l.Now(); now < last {
				t.Errorf("tick %d at %v, before the last one at %v", ticks, now, last)
				l.ClearTimer(iv)
			}
			last = l.Now()
			if ticks++; ticks == 110000 {
				l.ClearTimer(iv)
			}
		})
	})
	if err != nil || ticks != 110000 || last != EndOfTime {
		t.Errorf("err = %v, %d ticks, the last at %v; want no error, 110000 ticks, the last at EndOfTime", err, ticks, last)
	}
}
