package harness

import (
	"errors"
	"time"

	"github.com/looptest/looptest/internal/delay"
	"github.com/looptest/looptest/loop"
)

// realBackend is the real clock's backend together with the delay server it talks to, for the
// length of one run.
type realBackend struct {
	loop.Backend
	server *delay.Server
}

func newRealBackend(threads int, deadline time.Time, stop <-chan struct{}) (loop.Backend, error) {
	srv, err := delay.Start()
	if err != nil {
		return nil, err
	}
	b, err := loop.NewReal(loop.RealConfig{Threads: threads, Addr: srv.Addr(), Deadline: deadline, Stop: stop})
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &realBackend{Backend: b, server: srv}, nil
}

// Close closes the loop's backend, then shuts the delay server down.
func (b *realBackend) Close() error {
	return errors.Join(b.Backend.Close(), b.server.Close())
}
