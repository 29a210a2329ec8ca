package loop

import "time"

// RealConfig configures a Real backend.
type RealConfig struct {
	// Threads is the number of pool worker threads; 0 means 4.
	Threads int
	// Addr is the host:port that HTTP requests go to: the delay server. It must be a loopback
	// address (127.0.0.0/8 or [::1]).
	Addr string
}

// spin holds the calling thread for d on the monotonic clock, as a busy loop.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}
