// Package loop is an event loop with the ordering rules of Node.js: the phases of libuv 1.45+
// (timers, pending, idle/prepare, poll, check, close callbacks) as Node 20 drives them, with
// process.nextTick and queueMicrotask queues drained after every callback.
//
// A Loop runs callbacks on one goroutine. Time and the outside world sit behind a Backend:
//
//   - Virtual simulates the threadpool and the HTTP peer, and moves time only when the loop would
//     wait (or a callback blocks), so every run of the same program gives the same ordering.
//   - Real (Linux) runs the pool on worker threads, waits in epoll_wait and talks HTTP over
//     non-blocking sockets.
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
// Every loop event can be recorded as a structured Event (time, tick, phase, thread, kind, label)
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
//  5. Poll does not wait when immediates are queued or closes are pending; else it waits until the
//     nearest timer; else until I/O arrives. Completions come out in the order they completed.
//  6. Due timers run in (deadline, creation) order; they are collected before any runs.
//  7. A timer's deadline is the fresh time at creation plus its delay; an interval is rearmed at
//     the time its callback started plus its period.
//  8. Check runs the immediates queued before it began.
//  9. The loop time is cached: it changes only in rules 3 and 4 and when poll returns.
package loop
