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
// settles it.
func warnRaces(main []*step) []*Warning {
	var timers, immediates []*step
	blocked := false // a block of 1 ms or more ran since the first timer
	var visit func(steps []*step)
	visit = func(steps []*step) {
		for _, s := range steps {
			if s.kind.delay != nil && s.kind.delay(s) <= time.Millisecond && !blocked {
				timers = append(timers, s)
			}
			if a, ok := s.arg.(*blockArg); ok && a.d >= time.Millisecond && len(timers) > 0 {
				blocked = true
				timers = nil
			}
			switch s.kind.then {
			case thenCheck:
				immediates = append(immediates, s)
			case thenSoon:
				visit(s.then)
			}
		}
	}
	visit(main)
	if len(immediates) == 0 {
		return nil
	}
	var ws []*Warning
	for _, t := range timers {
		im := immediates[0].pos
		ws = append(ws, &Warning{t.pos, fmt.Sprintf(
			"%s and the immediate at %d:%d are both armed before the first iteration, and Node.js runs either first "+
				"(rules 3 and 7: the timer is due before the first iteration only if main and Node.js's start-up took a "+
				"millisecond): give the timer 2ms or more, or arm both from an I/O callback, where the immediate always runs first",
			t.kind.name+" "+t.src, im.Line, im.Col)})
	}
	return ws
}
