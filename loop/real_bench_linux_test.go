//go:build linux

package loop

import "testing"

// BenchmarkRealPoolRoundTrip hands 1000 tasks of cost 0 to real worker threads and takes them
// back through the eventfd wake-up and epoll_wait: the pool hand-off and the epoll wake-up.
func BenchmarkRealPoolRoundTrip(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		backend, err := NewReal(RealConfig{Threads: 4, Addr: "127.0.0.1:1"})
		if err != nil {
			b.Fatal(err)
		}
		l := New(Options{Backend: backend})
		err = l.Run(func() {
			for range 1000 {
				l.Submit(&Task{Done: func(any, error) {}})
			}
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/event")
}
