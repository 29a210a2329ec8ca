//go:build linux

package loop

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Real is the backend on real machinery: the monotonic clock, a pool of worker threads, and a
// poll phase that blocks in epoll_wait. Workers wake the poll through an eventfd when they finish
// a task; HTTP requests are non-blocking TCP sockets registered with the same epoll.
type Real struct {
	start time.Time
	epfd  int
	evfd  int // written by workers when a task finishes
	addr  unix.Sockaddr
	host  string
	// deadline, if not zero, bounds every wait of Poll and Busy.
	deadline time.Time
	outside  <-chan struct{} // RealConfig.Stop

	mu       sync.Mutex
	cond     *sync.Cond
	queue    fifo[*Task] // waiting for a worker
	finished []*Task     // done, in the order they finished, not yet returned by Poll
	failed   []*Request  // requests that failed before reaching epoll
	stopping bool
	stop     chan struct{} // closed by Close: workers stop holding their tasks
	workers  sync.WaitGroup

	conns  map[int32]*conn    // open sockets by descriptor
	byReq  map[*Request]*conn // the same, by request, for Cancel
	events []unix.EpollEvent
	closed bool
}

// NewReal starts the pool's worker threads and opens the epoll and eventfd descriptors; the
// Backend it returns is a *Real.
func NewReal(cfg RealConfig) (Backend, error) {
	return newReal(cfg)
}

func newReal(cfg RealConfig) (*Real, error) {
	ap, err := netip.ParseAddrPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("real clock: delay server address %q: %w", cfg.Addr, err)
	}
	if !ap.Addr().IsLoopback() {
		return nil, fmt.Errorf("real clock: %s is not a loopback address: looptest never reaches beyond this machine", cfg.Addr)
	}
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("real clock: epoll_create1: %w", err)
	}
	evfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("real clock: eventfd: %w", err)
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, evfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(evfd)}); err != nil {
		unix.Close(evfd)
		unix.Close(epfd)
		return nil, fmt.Errorf("real clock: epoll_ctl: %w", err)
	}
	r := &Real{
		start:    time.Now(),
		epfd:     epfd,
		evfd:     evfd,
		host:     cfg.Addr,
		deadline: cfg.Deadline,
		outside:  cfg.Stop,
		conns:    map[int32]*conn{},
		byReq:    map[*Request]*conn{},
		events:   make([]unix.EpollEvent, 256),
	}
	r.addr, r.stop = sockaddr(ap), make(chan struct{})
	r.cond = sync.NewCond(&r.mu)
	n := cfg.Threads
	if n <= 0 {
		n = 4
	}
	r.workers.Add(n)
	for w := range n {
		go r.worker(w)
	}
	if cfg.Stop != nil {
		// Wake the poll when the run is stopped from outside; Close waits for this too.
		r.workers.Add(1)
		go func() {
			defer r.workers.Done()
			select {
			case <-cfg.Stop:
				r.wake()
			case <-r.stop:
			}
		}()
	}
	return r, nil
}

func sockaddr(ap netip.AddrPort) unix.Sockaddr {
	if ap.Addr().Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	}
	return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}

// Now returns the time since the backend started, on the monotonic clock.
func (r *Real) Now() time.Duration { return time.Since(r.start) }

// Busy spins on the calling thread for d, or until the deadline.
func (r *Real) Busy(d time.Duration) {
	if !r.deadline.IsZero() {
		d = min(d, time.Until(r.deadline))
	}
	spin(d, r.outside)
}

// Submit queues t for the next free worker.
func (r *Real) Submit(t *Task) (started bool) {
	t.Queued = r.Now()
	r.mu.Lock()
	r.queue.push(t)
	r.mu.Unlock()
	r.cond.Signal()
	return false // a worker takes it on its own thread
}

// worker runs tasks on its own OS thread until the backend closes. The thread is locked and never
// unlocked, so it ends with the goroutine. It reads the clock once per task, as it finishes,
// unless the task's cost holds it longer: a task it takes straight after finishing another
// starts when that one finished, or when it was queued if that is later.
func (r *Real) worker(id int) {
	defer r.workers.Done()
	runtime.LockOSThread()
	var now time.Duration
	idle := true // the clock was last read before a wait: read it afresh
	r.mu.Lock()
	for {
		for r.queue.len() == 0 && !r.stopping {
			r.cond.Wait()
			idle = true
		}
		if r.stopping {
			r.mu.Unlock()
			return
		}
		t := r.queue.pop()
		r.mu.Unlock()

		if idle {
			now = r.Now()
		}
		t.Worker, t.Started = id, max(now, t.Queued)
		t.run()
		now = r.Now()
		if rest := t.Cost - (now - t.Started); rest > 0 {
			r.hold(rest) // the task holds its worker for at least its cost
			now = r.Now()
		}
		t.Finished, idle = now, false

		r.mu.Lock()
		first := len(r.finished) == 0
		r.finished = append(r.finished, t)
		if first {
			r.mu.Unlock()
			r.wake() // later ones find the eventfd already set, or Poll draining the list
			r.mu.Lock()
		}
	}
}

// hold keeps the worker for d, or until the backend closes.
func (r *Real) hold(d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-r.stop:
	}
}

// wake makes the loop's epoll_wait return.
func (r *Real) wake() {
	var one = [8]byte{1}
	for {
		_, err := unix.Write(r.evfd, one[:])
		if err != unix.EINTR {
			return // EAGAIN means the counter is already non-zero: the loop will wake
		}
	}
}

// Poll waits in epoll_wait until a task finishes, a socket is ready, or the clock reaches until,
// then returns what completed, in the order it completed. An epoll_wait error other than EINTR
// is returned.
func (r *Real) Poll(until time.Duration, done []Completion) ([]Completion, error) {
	first := len(done)
	for {
		timeout := -1
		if until != Forever {
			// epoll_wait counts milliseconds: round up, so as not to wake before the deadline.
			timeout = int(max(until-r.Now()+time.Millisecond-1, 0) / time.Millisecond)
		}
		if !r.deadline.IsZero() {
			left := int(max(time.Until(r.deadline)+time.Millisecond-1, 0) / time.Millisecond)
			if timeout < 0 || left < timeout {
				timeout = left
			}
		}
		if r.hasFinished() {
			timeout = 0
		}
		n, err := unix.EpollWait(r.epfd, r.events, timeout)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return done, fmt.Errorf("real clock: epoll_wait: %w", err)
		}
		// Sources in the order epoll reports them, which is the order they became ready; the
		// pool is one source, its eventfd (rule 5).
		for _, ev := range r.events[:n] {
			if ev.Fd == int32(r.evfd) {
				var buf [8]byte
				unix.Read(r.evfd, buf[:])
				done = append(done, PoolReady)
				continue
			}
			if c := r.conns[ev.Fd]; c != nil {
				if c.handle(r, ev.Events) {
					done = append(done, c.finish(r))
				} else {
					done = append(done, socketActivity{c.req}) // it connected, wrote or read
				}
			}
		}
		r.mu.Lock()
		for _, req := range r.failed {
			if !req.cancelled {
				done = append(done, req)
			}
		}
		clear(r.failed)
		r.failed = r.failed[:0]
		r.mu.Unlock()
		if len(done) > first || timeout == 0 || until != Forever && r.Now() >= until {
			break
		}
	}
	return done, nil
}

// Finished hands back the tasks the workers have finished since the last call, in the order they
// finished.
func (r *Real) Finished(done []*Task) []*Task {
	r.mu.Lock()
	defer r.mu.Unlock()
	done = append(done, r.finished...)
	clear(r.finished)
	r.finished = r.finished[:0]
	return done
}

func (r *Real) hasFinished() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.finished) > 0 || len(r.failed) > 0
}

// Cancel closes the connection of a request the loop has failed by its timeout.
func (r *Real) Cancel(req *Request) {
	if c := r.byReq[req]; c != nil {
		c.close(r)
	}
}

// Close stops the workers, waiting for the tasks they are running, closes every socket and the
// epoll and eventfd descriptors. Queued tasks are abandoned.
func (r *Real) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.mu.Lock()
	r.stopping = true
	r.mu.Unlock()
	close(r.stop)
	r.cond.Broadcast()
	r.workers.Wait()
	var errs []error
	for fd := range r.conns {
		errs = append(errs, unix.Close(int(fd)))
	}
	clear(r.conns)
	errs = append(errs, unix.Close(r.evfd), unix.Close(r.epfd))
	return errors.Join(errs...)
}
