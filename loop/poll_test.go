package loop

import (
	"errors"
	"testing"
	"time"
)

var errPollBroke = errors.New("poll broke")

// brokenPoll is a virtual backend whose polls fail.
type brokenPoll struct {
	*Virtual
	polls int
}

func (b *brokenPoll) Poll(until time.Duration, done []Completion) ([]Completion, error) {
	b.polls++
	done, _ = b.Virtual.Poll(until, done)
	return done, errPollBroke
}

// TestPollErrorEndsRun checks that a poller's error is what Run returns, that no callback of the
// completions it handed back runs, and that the loop does not poll again.
func TestPollErrorEndsRun(t *testing.T) {
	b := &brokenPoll{Virtual: NewVirtual(VirtualConfig{})}
	l := New(Options{Backend: b})
	var ran []string
	err := l.Run(func() {
		l.Submit(&Task{Source: Label("task"), Cost: ms, Done: func(any, error) { ran = append(ran, "task") }})
		l.SetTimeout(5*ms, Label("timer"), func() { ran = append(ran, "timer") })
	})
	if !errors.Is(err, errPollBroke) {
		t.Errorf("Run returned %v, want %v", err, errPollBroke)
	}
	if len(ran) > 0 {
		t.Errorf("callbacks ran after the poll failed: %v", ran)
	}
	if b.polls != 1 {
		t.Errorf("%d polls, want 1", b.polls)
	}
}

// TestVirtualPollWaitForever checks that a virtual loop that could only wait forever, for a
// response that never comes, fails with ErrWaitForever instead of panicking.
func TestVirtualPollWaitForever(t *testing.T) {
	l := New(Options{Backend: NewVirtual(VirtualConfig{Serve: serveAfter(Forever)})})
	err := l.Run(func() {
		l.Get(&Request{Source: Label("get"), Path: "/", Done: func(*Response, error) { t.Error("Done ran") }})
	})
	if !errors.Is(err, ErrWaitForever) {
		t.Errorf("Run returned %v, want %v", err, ErrWaitForever)
	}
}
