package harness

import (
	"errors"
	"fmt"
	"strings"

	"github.com/looptest/looptest/loop"
)

// Failures as Node.js has them (SPEC §2 rule 15): a rejection that no handler has taken once
// the queues of a callback are drained is reported, and a throw that no function catches is an
// uncaught exception. Either runs the scenario's top-level steps for it, or ends the run.

// rejectionTracker keeps the promises rejected without a handler, in the order they were
// rejected, until they are reported or handled (Node's pendingUnhandledRejections and
// maybeUnhandledPromises).
type rejectionTracker struct {
	pending []*promise
	unseen  map[*promise]bool // rejected, unhandled and not reported yet
}

func (t *rejectionTracker) rejected(p *promise) {
	if t.unseen == nil {
		t.unseen = map[*promise]bool{}
	}
	t.pending = append(t.pending, p)
	t.unseen[p] = true
}

// handled notes that a handler was attached to p, which was rejected without one. One
// attached after p was reported makes it 'rejectionHandled', which a scenario does not observe.
func (t *rejectionTracker) handled(p *promise) { delete(t.unseen, p) }

// processRejections reports the promises rejected since the last report and still without a
// handler, in rejection order, as processTicksAndRejections does once the nextTick and
// microtask queues of a callback are empty (loop.Options.Drained). It returns whether it ran
// anything, which may have queued more.
func (r *runner) processRejections() bool {
	t := &r.rejections
	if len(t.pending) == 0 {
		return false
	}
	// The batch is what is still unhandled now; every promise of it is reported, even one that
	// a listener of the batch attaches a handler to (Node 20.20's processPromiseRejections
	// takes the pending map whole).
	var batch []*promise
	for _, p := range t.pending {
		if t.unseen[p] {
			batch = append(batch, p)
			delete(t.unseen, p)
		}
	}
	t.pending = nil
	for _, p := range batch {
		switch {
		case r.onRejection != nil:
			r.runHandler(r.onRejection, p.result)
		case r.onException != nil: // Node 20 throws it: the uncaughtException listener takes it
			r.handleException(p.result)
		default:
			r.loop.Fail(&UncaughtError{Pos: p.src.Pos, Kind: p.src.Kind, Reason: errorMessage(p.result), Rejection: true})
		}
		if r.loop.Err() != nil {
			break
		}
	}
	return true
}

// uncaught handles an exception that no function caught, thrown by a step of the callback that
// runs now: the uncaughtException steps take it, and the queues of the callback wait for the
// next one (loop.Threw); without them, the run ends.
func (r *runner) uncaught(reason any) {
	if r.inException {
		// A throw from the uncaughtException steps themselves: Node.js gives up (status 7).
		at := r.thrownAt
		r.loop.Fail(&UncaughtError{Pos: at.Pos, Kind: at.Kind, Reason: errorMessage(reason), InListener: true})
		return
	}
	if r.onException == nil {
		at := r.thrownAt
		if at == nil {
			at = &Source{Kind: "main", Pos: r.mainPos}
		}
		r.loop.Fail(&UncaughtError{Pos: at.Pos, Kind: at.Kind, Reason: errorMessage(reason)})
		return
	}
	r.loop.Threw()
	r.handleException(reason)
}

// handleException runs the uncaughtException steps, then queues an immediate that does
// nothing, as Node's onGlobalUncaughtException does "so that the next Immediate cycle isn't
// empty": it keeps the next poll from waiting, and after a throwing last immediate it runs in
// the same check phase.
func (r *runner) handleException(reason any) {
	r.inException = true
	r.runHandler(r.onException, reason)
	r.inException = false
	r.loop.QueueImmediate(noopImmediate, func() {})
}

// noopImmediate names that immediate in the trace.
var noopImmediate = loop.Label("setImmediate(noop) after an uncaught exception")

// runHandler runs top-level steps (unhandledRejection, uncaughtException) with ${error}.
func (r *runner) runHandler(h action, reason any) {
	h(r, &env{v: value{s: errorMessage(reason)}})
}

// An UncaughtError ends a run as Node.js ends a process: an exception that no function caught,
// or a rejection that no handler took, with no listener for it (exit status 1).
type UncaughtError struct {
	Pos       Pos    // the step that threw, or that made the promise
	Kind      string // its kind
	Reason    string // the error's message
	Rejection bool   // an unhandled rejection, rather than a throw
	// InListener says the uncaughtException steps themselves threw, which Node.js does not
	// survive: it exits with status 7.
	InListener bool
}

func (e *UncaughtError) Error() string {
	if e.InListener {
		return fmt.Sprintf("%s: the uncaughtException steps threw: %s (Node.js exits with status 7)", e.Pos, e.Reason)
	}
	if e.Rejection {
		return fmt.Sprintf("%s: unhandled rejection of the promise of this %s step: %s", e.Pos, e.Kind, e.Reason)
	}
	return fmt.Sprintf("%s: uncaught exception from this %s step: %s", e.Pos, e.Kind, e.Reason)
}

// Ended returns nil when err, what Run returned, is the end the scenario expects: success, or,
// with expect, the uncaught exception or unhandled rejection whose message it names. Otherwise
// it returns the error to report: err, or that the run did not end as expected.
func (s *Scenario) Ended(err error) error {
	x := s.Expect
	if x == nil {
		return err
	}
	var ue *UncaughtError
	switch {
	case errors.As(err, &ue) && strings.Contains("Error: "+ue.Reason, x.Error):
		return nil // the message, or Node's report of it ("Error: boom"), or a part of them
	case err != nil:
		return fmt.Errorf("%w (expected: exit 1 with the error %q)", err, x.Error)
	}
	return fmt.Errorf("%s: the run ended well, but expect says it ends with exit 1 and the error %q", x.Pos, x.Error)
}
