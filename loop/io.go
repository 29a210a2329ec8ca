package loop

// The loop's I/O: work handed to the threadpool and HTTP requests, each delivered by a later
// poll phase (rule 5), as libuv's uv_queue_work and a TCP handle's reads are.

// Submit hands t to the threadpool; t.Done runs in a later poll phase.
func (l *Loop) Submit(t *Task) {
	t.Worker, t.startTraced = -1, false
	l.inflight++
	l.ops++
	t.id = l.ops
	l.traceOp(KindTaskQueued, t.Source, t.Cost, t.id)
	l.checkPending()
	if l.poller.Submit(t) && l.rec != nil {
		// The task started at once: say so now, next to its submission.
		t.startTraced = true
		l.rec.add(Event{Time: t.Started, Thread: Thread(t.Worker), Kind: KindTaskStarted, Source: t.Source, ID: t.id})
	}
}

// traceArrival records what the worker did, which the loop learns of only now.
func (t *Task) traceArrival(rec *Recorder, _ int) {
	if !t.startTraced {
		rec.add(Event{Time: t.Started, Thread: Thread(t.Worker), Kind: KindTaskStarted, Source: t.Source, ID: t.id})
	}
	rec.add(Event{Time: t.Finished, Thread: Thread(t.Worker), Kind: KindTaskFinished, Source: t.Source, ID: t.id})
}

func (t *Task) complete(l *Loop) {
	l.inflight--
	if l.enter() {
		l.traceOp(KindTaskDone, t.Source, 0, t.id)
		switch {
		case t.Job != nil:
			t.Job.Done(t.err)
		case t.Done != nil:
			t.Done(t.result, t.err)
		}
		l.drain()
	}
}

// Get starts an HTTP GET; r.Done runs in a later poll phase and r.Closed, if set, in the close
// phase of that iteration. As in Node, the connection is made in a nextTick, after the current
// callback, and the request is written once it is up, in a later poll (rule 11). The tick takes
// r.Connect.
func (l *Loop) Get(r *Request) {
	l.inflight++
	l.ops++
	r.id = l.ops
	l.traceOp(KindRequestSent, r.Source, 0, r.id)
	l.checkPending()
	l.ticks.push(callback{src: r.Source, fn: func() {
		if r.Connect > 0 {
			l.traceOp(KindConnect, r.Source, r.Connect, r.id)
			l.busy(r.Connect)
		}
		if !r.cancelled {
			l.poller.Get(r)
		}
	}, internal: true})
	if r.Timeout > 0 {
		l.armTimeout(r)
	}
}

// touch refreshes the timeout of r, if it has one, as Node's socket does (_unrefTimer) when it
// connects, at each write and at each read: the deadline counts from the last of them, and the
// timer goes to the back of its delay's list (Refresh).
func (l *Loop) touch(r *Request) {
	if r.timer != nil {
		l.Refresh(r.timer)
	}
}

// socketActivity is what a poll returns for a request whose socket connected, wrote or read
// without the response being complete: handling it refreshes the request's timeout. It runs no
// callback.
type socketActivity struct{ r *Request }

func (socketActivity) traceArrival(*Recorder, int) {}
func (a socketActivity) complete(l *Loop) {
	if !a.r.cancelled {
		l.touch(a.r)
	}
}

func (r *Request) traceArrival(rec *Recorder, tick int) {
	rec.add(Event{Time: r.Ready, Tick: tick, Phase: PhasePoll, Thread: MainThread,
		Kind: KindResponseReady, Source: r.Source, Arg: r.Sent, ID: r.id})
}

func (r *Request) complete(l *Loop) {
	l.inflight--
	if r.timer != nil {
		l.ClearTimer(r.timer)
		r.timer = nil
	}
	if _, aborted := r.err.(*AbortedError); aborted { // backends report it as it is, unwrapped
		l.closing = append(l.closing, callback{src: r.Source, fn: func() { r.abort(l) }})
		return
	}
	if l.enter() {
		l.traceOp(KindResponseDone, r.Source, 0, r.id)
		if r.Done != nil {
			r.Done(r.resp, r.err)
		}
		// The client closes the connection right after the response callback.
		if r.Closed != nil {
			l.closing = append(l.closing, callback{src: r.Source, fn: r.Closed})
		}
		l.drain()
	}
}

// abort delivers a response cut short as Node does, from the connection's close callback: the
// request's Closed runs there, and Done gets the error in a nextTick queued just before it
// (the response's 'error', after the request's 'close').
func (r *Request) abort(l *Loop) {
	l.ticks.push(callback{src: r.Source, fn: func() {
		l.traceOp(KindResponseDone, r.Source, 0, r.id)
		if r.Done != nil {
			r.Done(r.resp, r.err)
		}
	}})
	if r.Closed != nil {
		r.Closed()
	}
}
