package loop

import "time"

// RealConfig configures a Real backend.
type RealConfig struct {
	// Threads is the number of pool worker threads; 0 means 4.
	Threads int
	// Addr is the host:port that HTTP requests go to: the delay server. It must be a loopback
	// address (127.0.0.0/8 or [::1]).
	Addr string
	// Deadline, if not zero, is the wall-clock time by which Poll and Busy return whatever they
	// wait for, so that a loop with the same Options.Deadline can stop on time.
	Deadline time.Time
	// Stop, once closed, wakes Poll and ends Busy at once, so that a loop with the same
	// Options.Stop stops.
	Stop <-chan struct{}
}

// spin holds the calling thread for d on the monotonic clock, as a busy loop, or until stop is
// closed.
func spin(d time.Duration, stop <-chan struct{}) {
	for start, n := time.Now(), 0; time.Since(start) < d; n++ {
		if n&1023 == 0 && stopped(stop) {
			return
		}
	}
}
