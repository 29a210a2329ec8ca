// Package loop is an event loop with the ordering rules of Node.js: the phases of libuv 1.45+
// (timers, pending, idle/prepare, poll, check, close callbacks) as Node 20 drives them, with
// process.nextTick and queueMicrotask queues drained after every callback.
//
// A Loop runs callbacks on one goroutine. Time and the outside world sit behind a Backend:
//
//   - Virtual simulates the threadpool and the HTTP peer, and moves time only when the loop would
//     wait (or a callback blocks), so every run of the same program gives the same ordering.
//   - Real (Linux) runs the pool on worker threads, waits in epoll_wait and talks HTTP over
//     non-blocking sockets (real_linux.go; its HTTP client in http_linux.go).
//
// The package knows nothing of YAML or scenario files.
//
// The loop is useful without any scenario file:
//
//	l := loop.New(loop.Options{Backend: loop.NewVirtual(loop.VirtualConfig{Threads: 4})})
//	err := l.Run(func() {
//		l.SetTimeout(0, "t", func() { fmt.Println("timeout") })
//		l.SetImmediate("i", func() { fmt.Println("immediate") })
//		l.NextTick("n", func() { fmt.Println("nextTick") })
//	})
//	// nextTick, immediate, timeout
//
// SetTimeout, SetInterval and SetImmediate return handles for ClearTimer and ClearImmediate;
// QueueTimeout and QueueImmediate do the same without one, for callbacks that nothing will
// clear. Records come from slabs of 16 KiB, and those no handle reaches are reused once spent,
// so a loop that runs a million callbacks allocates a few thousand times; a handle's record is
// never reused, so clearing a timer that fired long ago does nothing, however many others have
// come and gone since. A Task's Job carries its work and its callback in one object.
//
// Every loop event can be recorded as a structured Event (time, tick, phase, thread, kind, source)
// by passing a Recorder in Options; formatting happens afterwards, never in the loop.
//
// The rules, as the methods of Loop implement them:
//
//  1. The main function runs first, as one callback, at time 0.
//  2. After every callback the nextTick queue is drained, then the microtask queue, and again
//     while either has work.
//  3. Before the first iteration the loop time is updated and due timers run.
//  4. Each iteration: pending callbacks; idle/prepare; poll; check; close callbacks; update the
//     loop time; timers; stop if nothing is alive.
//  5. Poll does not wait when immediates are queued (and not cleared) or close callbacks are
//     pending; else it waits until the nearest timer, or with no timer until I/O arrives. A
//     request connected since the last poll is written in this one: the virtual backend returns
//     it without waiting, the real one writes it when epoll reports the socket writable, and
//     returns then, as libuv's poll returns once it has handled events. Poll handles its
//     sources in the order they became ready: each socket, and the pool as one source
//     (PoolReady), ready when its first unreported task finished, which delivers every task
//     finished by then, in finishing order.
//  6. Timers of one delay form one list in creation order; the lists are kept by (expiry, id).
//     The timers phase runs the due timers of the front list until one is not due, keys that
//     list anew (a later expiry, a new id), and goes on with the next list whose expiry has come.
//  7. Time counts whole milliseconds. A timer's start is the clock read afresh when it is armed,
//     which refreshes the cached loop time; it is due when the loop time minus its start is at
//     least its delay. An interval is rearmed from the time its callback started. Refresh
//     starts a timer afresh from the clock read then, at the back of its list (a timeout that
//     fired is armed again; a cleared timer stays cleared); an Unref'd timer does not keep the
//     loop alive.
//  8. Check runs the immediates queued before it began.
//  9. The loop time is cached: it changes only in rules 3, 4 and 7 and when poll returns.
//  11. A request connects in a nextTick after the current callback; the backend writes it when
//     the connection is handled in a later poll. A refused connection fails in that poll. A body
//     cut short ("aborted") is delivered from the connection's close callback, after Closed. A
//     request's Timeout is its socket's: an unref'd timer armed with the request and refreshed
//     when the connection is up, when the request is written and at each read. The connect tick
//     holds the loop thread for the request's Connect, and the virtual backend answers Latency
//     after Serve's delay.
//  12. Close callbacks run last closed first.
//
// Rule 10 (a file read is open, fstat, read and close as four pool tasks) is the harness's: the
// loop sees four tasks. So are the times of rules 17, 18 and 19 (stdout's and the HTTP
// client's set-up, a request's costs, finishing main): the loop spends what it is given (Spend,
// Request.Connect and Latency).
package loop
