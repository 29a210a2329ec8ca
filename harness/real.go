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

// Get sends the request to the delay server with headers that ask for its reply (a
// delay.Reply), as serveVirtual answers it under the virtual clock; a refused connection is
// asked of an address where nothing listens, since the server cannot refuse one it has accepted.
func (b *realBackend) Get(req *loop.Request) {
	if reply, ok := req.Reply.(delay.Reply); ok {
		req.Header = reply.Header()
		if reply.Fault == delay.FaultRefuse {
			req.Addr = b.server.ClosedAddr()
		}
	}
	b.Backend.Get(req)
}

// Close closes the loop's backend, then shuts the delay server down.
func (b *realBackend) Close() error {
	return errors.Join(b.Backend.Close(), b.server.Close())
}
