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
// main before it, which takes about a millisecond (MainEnd), and the timer usually runs first.
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
	// Main's steps run first, then the nextTicks and microtasks it queued, in the order queued
	// (close enough: a log among them comes after every step of main).
	var soon [][]*step
	visit := func(steps []*step) {
		for _, s := range steps {
			if s.kind.delay != nil && !varyingDelay(s) && s.kind.delay(s) <= time.Millisecond {
				timers = append(timers, armed{s: s})
			}
			switch a := s.arg.(type) {
			case *blockArg:
				if a.d >= time.Millisecond {
					timers = nil
				}
			}
			if s.kind == kindLog && logged && afterMain {
				for i := range timers {
					timers[i].mainEnd = true
				}
			}
			if s.kind == kindLog && !logged {
				logged = true
				for i := range timers {
					timers[i].logged = true
				}
			}
			switch s.kind.then {
			case thenCheck:
				immediates = append(immediates, s)
			case thenSoon:
				soon = append(soon, s.then)
			}
		}
	}
	visit(main)
	afterMain = true
	for len(soon) > 0 {
		next := soon[0]
		soon = soon[1:]
		visit(next)
	}
	if len(immediates) == 0 {
		return nil
	}
	var ws []*Warning
	im := immediates[0].pos
	for _, t := range timers {
		var odds string
		switch {
		case t.logged:
			odds = ": Node.js nearly always runs the timer first, because the first log after it sets stdout up, " +
				"which takes milliseconds (rules 3, 7 and 17 in docs/rules.md), and so does looptest; but a fast machine can run the immediate first"
		case t.mainEnd:
			odds = ": Node.js usually runs the timer first, because a line printed after main waits for Node.js to finish main, " +
				"which takes about a millisecond (rules 3, 7 and 19 in docs/rules.md), and so does looptest; but it can run the immediate first"
		default:
			odds = ", and Node.js runs either first (rules 3 and 7: the timer is due before the first iteration only if main and " +
				"Node.js's start-up took a millisecond)"
		}
		ws = append(ws, &Warning{t.s.pos, fmt.Sprintf("%s %s and the immediate at %d:%d are both armed before the first iteration%s: "+
			"give the timer 2ms or more, or arm both from an I/O callback, where the immediate always runs first",
			t.s.kind.name, t.s.src, im.Line, im.Col, odds)})
	}
	return ws
}
