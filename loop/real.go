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
}

// spin holds the calling thread for d on the monotonic clock, as a busy loop.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}
