package loop

import (
	_ "github.com/looptest/looptest/internal/lttest" // every test binary understands -update

	"testing"
	"time"
)

// benchLoop runs n events of one kind, set up by main, on a virtual loop.
func benchLoop(b *testing.B, main func(l *Loop, n int)) {
	b.ReportAllocs()
	for b.Loop() {
		l := New(Options{})
		if err := l.Run(func() { main(l, 1000) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/event")
}

func nop() {}

func BenchmarkTimerArmAndFire(b *testing.B) {
	benchLoop(b, func(l *Loop, n int) {
		for i := range n {
			l.SetTimeout(time.Duration(i%100)*time.Millisecond, Label("t"), nop)
		}
	})
}

// BenchmarkTimerQueueAndFire arms timers without handles, whose records are reused.
func BenchmarkTimerQueueAndFire(b *testing.B) {
	benchLoop(b, func(l *Loop, n int) {
		for i := range n {
			l.QueueTimeout(time.Duration(i%100)*time.Millisecond, Label("t"), nop)
		}
	})
}

// BenchmarkImmediateQueue queues immediates without handles, whose records are reused.
func BenchmarkImmediateQueue(b *testing.B) {
	benchLoop(b, func(l *Loop, n int) {
		for range n {
			l.QueueImmediate(Label("i"), nop)
		}
	})
}

func BenchmarkImmediate(b *testing.B) {
	benchLoop(b, func(l *Loop, n int) {
		for range n {
			l.SetImmediate(Label("i"), nop)
		}
	})
}

func BenchmarkNextTickAndMicrotask(b *testing.B) {
	benchLoop(b, func(l *Loop, n int) {
		for range n / 2 {
			l.NextTick(Label("n"), nop)
			l.QueueMicrotask(Label("m"), nop)
		}
	})
}

func BenchmarkPoolRoundTrip(b *testing.B) {
	benchLoop(b, func(l *Loop, n int) {
		for range n {
			l.Submit(&Task{Done: func(any, error) {}})
		}
	})
}
