package loop

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
)

// Phase names the part of the loop an event happened in.
type Phase uint8

// The phases an event is recorded in. An iteration runs poll, check and close, then timers (rule
// 4); the timers run before the first iteration are PhaseTimers of tick 0. PhaseNone marks the
// start of an iteration (KindTick) and events on other threads.
const (
	PhaseNone   Phase = iota
	PhaseMain         // the main program, with the nextTicks and microtasks it queued
	PhaseTimers       // due timers
	PhasePoll         // waiting for I/O, and the callbacks of completed I/O
	PhaseCheck        // immediates
	PhaseClose        // close callbacks
)

var phaseNames = [...]string{"", "main", "timers", "poll", "check", "close"}

func (p Phase) String() string { return phaseNames[p] }

// Thread names where an event happened: the loop's own thread, or a pool worker.
type Thread int

// MainThread is the loop's thread; pool workers are numbered from 0.
const MainThread Thread = -1

func (t Thread) String() string {
	if t == MainThread {
		return "main"
	}
	return "pool" + strconv.Itoa(int(t))
}

// Kind says what an event is.
type Kind uint8

// The kinds of events. Arg's meaning depends on the kind, as noted.
const (
	KindTick             Kind = iota // an iteration begins
	KindPoll                         // poll returned; Arg: how long it waited
	KindTimerArmed                   // Arg: the deadline
	KindTimerFired                   //
	KindTimerCleared                 //
	KindImmediateQueued              //
	KindImmediateRun                 //
	KindImmediateCleared             //
	KindNextTickQueued               //
	KindNextTickRun                  //
	KindMicrotaskQueued              //
	KindMicrotaskRun                 //
	KindTaskQueued                   // Arg: the task's cost
	KindTaskStarted                  // on the worker
	KindTaskFinished                 // on the worker
	KindTaskDone                     // the task's callback
	KindRequestSent                  //
	KindResponseReady                // the response has arrived; Arg: when it was sent
	KindResponseDone                 // the response's callback
	KindClose                        // a close callback
	KindBlock                        // Arg: how long the loop thread is held
	KindLog                          // Text: what was printed
	KindStdout                       // Arg: how long the runtime takes to set its stdout up
	KindHTTPSetup                    // Arg: how long the runtime takes to set its HTTP client up
	KindConnect                      // the connect tick of a request; Arg: how long it takes
	KindMainEnd                      // Arg: how long the runtime takes to finish main before a line
)

// Callback reports whether an event of kind k is a callback starting to run on the loop thread:
// a timer, an immediate, a nextTick, a microtask, the callback of a pool task or of an HTTP
// response (a timed-out one too), or a close callback. The logs recorded after it, up to the
// next callback, are its output. The other kinds record what the loop or a worker did around
// callbacks: arming, queueing, clearing, polling, work on a worker, blocking, logging.
func (k Kind) Callback() bool {
	switch k {
	case KindTimerFired, KindImmediateRun, KindNextTickRun, KindMicrotaskRun,
		KindTaskDone, KindResponseDone, KindClose:
		return true
	}
	return false
}

// Event is one thing that happened in a run.
type Event struct {
	Time   time.Duration // on the loop's clock
	Tick   int           // the iteration; 0 for main and the timers before the first iteration
	Phase  Phase
	Thread Thread
	Kind   Kind
	Source Source        // what the timer, task, request or callback is for; the log's writer
	Text   string        // what a log printed
	Arg    time.Duration // depends on Kind
	ID     uint64        // links the events of one task or request; 0 for others
}

// name formats the event's source, for a sentence.
func (e Event) name() string {
	if e.Source == nil {
		return "?"
	}
	return e.Source.String()
}

// A Source is what a timer, immediate, tick, microtask, task or request is for, and who wrote a
// log: in looptest, the step of a scenario. The loop keeps it on the operation and on every
// event of it, as libuv keeps a handle's data pointer, and formats it (String) only where an
// event is shown. Consumers that know the type of their sources read them back with a type
// assertion; sources compare as the values they are (a pointer: the same object).
type Source interface {
	String() string
}

// A Recorder keeps the events of a run, in the order the loop learnt of them. Only the loop's
// goroutine appends; read Events after Run returns.
type Recorder struct {
	events []Event
}

// Events returns the recorded events, ordered by time. Events at the same time keep the order in
// which they were recorded.
func (r *Recorder) Events() []Event {
	ev := slices.Clone(r.events)
	slices.SortStableFunc(ev, func(a, b Event) int {
		return cmp.Compare(a.Time, b.Time)
	})
	return ev
}

func (r *Recorder) add(e Event) { r.events = append(r.events, e) }

// eventWords says each kind of event in words: what comes before the source, and, for the kinds
// whose Arg means something, what comes between the source and Arg.
var eventWords = [...]struct{ before, beforeArg string }{
	KindPoll:             {"poll waited", ""},
	KindTimerArmed:       {"arm ", ", due at "},
	KindTimerFired:       {"fire ", ""},
	KindTimerCleared:     {"clear ", ""},
	KindImmediateQueued:  {"queue ", ""},
	KindImmediateRun:     {"run ", ""},
	KindImmediateCleared: {"clear ", ""},
	KindNextTickQueued:   {"queue ", ""},
	KindNextTickRun:      {"run ", ""},
	KindMicrotaskQueued:  {"queue ", ""},
	KindMicrotaskRun:     {"run ", ""},
	KindTaskQueued:       {"submit ", " to the pool, cost "},
	KindTaskStarted:      {"received a task: ", ""},
	KindTaskFinished:     {"finished a task: ", ""},
	KindTaskDone:         {"callback of ", ""},
	KindRequestSent:      {"send ", ""},
	KindResponseReady:    {"response ready: ", ", sent at "},
	KindResponseDone:     {"callback of ", ""},
	KindClose:            {"close callback of ", ""},
	KindBlock:            {"block the loop thread for", ""},
	KindStdout:           {"set up stdout for the first log, taking", ""},
	KindHTTPSetup:        {"set up the HTTP client for the first request, taking", ""},
	KindConnect:          {"connect for ", ", taking "},
	KindMainEnd:          {"finish main before the first line after it, taking", ""},
}

// String describes the event in a sentence, without its time, tick or thread.
func (e Event) String() string {
	switch {
	case e.Kind == KindTick:
		return "iteration " + strconv.Itoa(e.Tick) + " begins"
	case e.Kind == KindLog:
		return "log " + strconv.Quote(e.Text)
	case e.Kind == KindPoll || e.Kind == KindBlock || e.Kind == KindStdout || e.Kind == KindHTTPSetup || e.Kind == KindMainEnd: // no source: Arg follows the words
		return eventWords[e.Kind].before + " " + e.Arg.String()
	case int(e.Kind) < len(eventWords) && eventWords[e.Kind].before != "":
		w := eventWords[e.Kind]
		if w.beforeArg == "" {
			return w.before + e.name()
		}
		return w.before + e.name() + w.beforeArg + e.Arg.String()
	}
	return fmt.Sprintf("event %d %s", e.Kind, e.name())
}

// WriteTrace prints events as a trace a person can follow: a header for each iteration, then one
// line per event with its time, thread and phase.
func WriteTrace(w io.Writer, events []Event) error {
	ew := &errWriter{w: w}
	ew.printf("%10s  %-6s %-6s %s\n", "TIME", "THREAD", "PHASE", "EVENT")
	// Real clocks tick in nanoseconds; microseconds are plenty to follow a run.
	for _, e := range events {
		if e.Kind == KindTick {
			ew.printf("===== tick %d =====\n", e.Tick)
			continue
		}
		ew.printf("%10s  %-6s %-6s %s\n", e.Time.Round(time.Microsecond), e.Thread, e.Phase, e)
	}
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (ew *errWriter) printf(format string, args ...any) {
	if ew.err == nil {
		_, ew.err = fmt.Fprintf(ew.w, format, args...)
	}
}

// A Label is a Source that is its own text, for programs that name their operations by hand.
type Label string

func (l Label) String() string { return string(l) }
