package harness

import (
	"fmt"
	"time"
)

// A Warning is a pattern that Node.js orders either way whatever the timings, so that no golden
// can hold for it: the file loads and runs, but a real runtime may disagree with its golden.
type Warning struct {
	Pos Pos
	Msg string
}

func (w *Warning) String() string { return w.Pos.String() + ": warning: " + w.Msg }

// warnRaces returns the warnings of the patterns that are always races: a timer of 1 ms or less
// and an immediate, both armed before the first iteration (by main, or by the nextTicks and
// microtasks it queues). The timer is due at the timers phase that runs before the first
// iteration (rule 3) only if main and Node.js's start-up took a whole millisecond (rule 7),
// which they sometimes do and sometimes not. A block of a millisecond or more after the timer
// settles it. The first log after the timer makes it likely but not certain: Node.js sets its
// stdout up then, which takes over a millisecond (StdoutSetup), so the timer runs first nearly
// always, and so it does under the virtual clock; the warning says so. So does a line printed
// after main, by a nextTick or a microtask main queued, after the first log: Node.js finishes
// main before it, which takes about a millisecond (MainEnd), and the timer usually runs first;
// a 2 ms timer then usually does not, but sometimes does, and is warned of too.
func warnRaces(main []*step) []*Warning {
	type armed struct {
		s       *step
		logged  bool // the run's first log came after it
		mainEnd bool // a later log came after main returned (rule 19)
	}
	var timers []armed
	var immediates []*step
	logged := false    // the first log has run
	afterMain := false // main's steps have run: the nextTicks and microtasks it queued are running
	ended := false     // the first line after main has run: MainEnd is spent, or the set-up covered it
	// Main's steps run first, then the nextTicks it queued and theirs, then the microtasks, and
	// again while either queue has some (rule 2). Lines printed by promise handlers and async
	// bodies are not followed here.
	var ticks, microtasks [][]*step
	visit := func(steps []*step) {
		for _, s := range steps {
			if s.kind.delay != nil && !varyingDelay(s) && s.kind.delay(s) <= 2*time.Millisecond {
				timers = append(timers, armed{s: s})
			}
			switch a := s.arg.(type) {
			case *blockArg:
				if a.d >= time.Millisecond {
					timers = nil
				}
			}
			if s.kind == kindLog && afterMain && !ended {
				ended = true
				for i := range timers {
					timers[i].mainEnd = logged // the run's first line sets stdout up instead
				}
			}
			if s.kind == kindLog && !logged {
				logged = true
				for i := range timers {
					timers[i].logged = true
				}
			}
			switch {
			case s.kind.then == thenCheck:
				immediates = append(immediates, s)
			case s.kind == kindNextTick:
				ticks = append(ticks, s.then)
			case s.kind.then == thenSoon:
				microtasks = append(microtasks, s.then)
			}
		}
	}
	visit(main)
	afterMain = true
	for len(ticks) > 0 || len(microtasks) > 0 {
		for len(ticks) > 0 {
			next := ticks[0]
			ticks = ticks[1:]
			visit(next)
		}
		for len(microtasks) > 0 { // the microtask queue drains whole; the nextTicks it queues wait
			next := microtasks[0]
			microtasks = microtasks[1:]
			visit(next)
		}
	}
	if len(immediates) == 0 {
		return nil
	}
	var ws []*Warning
	im := immediates[0].pos
	for _, t := range timers {
		var odds string
		short, more := t.s.kind.delay(t.s) <= time.Millisecond, "2ms"
		switch {
		case !short && (t.logged || !t.mainEnd):
			continue // a 2 ms timer is due only if main's end takes it there
		case t.logged:
			odds = ": Node.js nearly always runs the timer first, because the first log after it sets stdout up, " +
				"which takes milliseconds (rules 3, 7 and 17 in docs/rules.md), and so does looptest; but a fast machine can run the immediate first"
		case !short:
			more = "3ms"
			odds = ": Node.js usually runs the immediate first, and so does looptest, but the first line printed after main waits " +
				"for Node.js to finish main, which can take the timer past its 2 ms (rules 3, 7 and 19 in docs/rules.md)"
		case t.mainEnd:
			more = "3ms"
			odds = ": Node.js usually runs the timer first, because the first line printed after main waits for Node.js to finish main, " +
				"which takes about a millisecond (rules 3, 7 and 19 in docs/rules.md), and so does looptest; but it can run the immediate first"
		default:
			odds = ", and Node.js runs either first (rules 3 and 7: the timer is due before the first iteration only if main and " +
				"Node.js's start-up took a millisecond)"
		}
		ws = append(ws, &Warning{t.s.pos, fmt.Sprintf("%s %s and the immediate at %d:%d are both armed before the first iteration%s: "+
			"give the timer %s or more, or arm both from an I/O callback, where the immediate always runs first",
			t.s.kind.name, t.s.src, im.Line, im.Col, odds, more)})
	}
	return ws
}
