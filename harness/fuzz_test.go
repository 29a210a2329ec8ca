package harness

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/looptest/looptest/loop"
)

// FuzzRun makes a small scenario from the fuzzer's bytes (timeouts and intervals with their
// times, immediates, nextTicks, microtasks, blocks, reads, encrypts, HTTP calls with delays,
// timeouts and faults, clears and repeats, nested), runs it twice under the virtual clock and
// checks what must hold of any run:
//
//   - both runs give the same ordering and the same trace;
//   - every callback runs as often as the program says (a timeout once, an interval exactly its
//     times, per run of the step that made it), or no more often when a clear can reach it;
//   - no timer fires before its deadline.
func FuzzRun(f *testing.F) {
	for _, seed := range [][]byte{
		{},
		{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
		{2, 1, 3, 2, 0, 0, 1, 9, 2, 2, 1, 0, 10, 0},
		{9, 3, 3, 1, 9, 1, 2, 2, 9, 0, 3, 1, 7, 1, 1, 7, 0, 2},
		{11, 2, 1, 5, 4, 5, 3, 4, 6, 2, 8, 40, 3},
		{1, 0, 1, 1, 2, 1, 3, 0, 1, 10, 0, 1, 2, 2, 10, 1},
		[]byte("the quick brown fox jumps over the lazy dog"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog("FuzzRun")()
		g := &generator{data: data}
		src := g.scenario()
		s, err := Parse("f.yaml", []byte(src))
		if err != nil {
			t.Fatalf("the generated scenario does not load: %v\n%s", err, src)
		}
		run := func() (string, string) {
			var out, trace bytes.Buffer
			var rec loop.Recorder
			if err := s.Run(RunOptions{Out: &out, Recorder: &rec, Limits: Limits{MaxCallbacks: DefaultLimits.MaxCallbacks, MaxTime: DefaultLimits.MaxTime, MaxWall: time.Minute}}); err != nil {
				t.Fatalf("run: %v\n%s", err, src)
			}
			checkDeadlines(t, rec.Events(), src)
			if err := loop.WriteTrace(&trace, rec.Events()); err != nil {
				t.Fatal(err)
			}
			return out.String(), trace.String()
		}
		order1, trace1 := run()
		order2, trace2 := run()
		if order1 != order2 || trace1 != trace2 {
			t.Fatalf("two runs differ:\n%s\n---\n%s\n--- scenario:\n%s", trace1, trace2, src)
		}
		counts := map[string]int{}
		for line := range strings.Lines(order1) {
			counts[strings.TrimSuffix(line, "\n")]++
		}
		for _, m := range g.markers {
			got := counts[m.text]
			if got > m.runs || !m.maybeFewer && got != m.runs {
				t.Fatalf("%s ran %d times, want %d (fewer allowed: %v)\n%s\n--- scenario:\n%s", m.text, got, m.runs, m.maybeFewer, order1, src)
			}
		}
		for _, p := range g.eitherOr {
			then, onError, closed := g.markers[p.then].text, g.markers[p.onError].text, g.markers[p.closed].text
			if got := counts[then] + counts[onError]; got != counts[closed] {
				t.Fatalf("%s and %s ran %d times together, %s %d times\n%s\n--- scenario:\n%s",
					then, onError, got, closed, counts[closed], order1, src)
			}
		}
	})
}

// checkDeadlines checks that every timer fired at or after a deadline it was armed with. The
// trace names a timer by its step, so timers of one step are told apart by their deadlines:
// a firing uses up the earliest deadline armed for its source.
func checkDeadlines(t *testing.T, events []loop.Event, src string) {
	t.Helper()
	armed := map[loop.Source][]time.Duration{}
	for _, e := range events {
		switch e.Kind {
		case loop.KindTimerArmed:
			armed[e.Source] = append(armed[e.Source], e.Arg)
		case loop.KindTimerFired:
			ds := armed[e.Source]
			if len(ds) == 0 {
				t.Fatalf("%s fired at %v, never armed\n%s", e.Source, e.Time, src)
			}
			i := slices.Index(ds, slices.Min(ds))
			if e.Time < ds[i] {
				t.Fatalf("%s fired at %v, before its deadline %v\n%s", e.Source, e.Time, ds[i], src)
			}
			armed[e.Source] = slices.Delete(ds, i, i+1)
		}
	}
}

// generator writes a scenario, in YAML's flow style, from fuzz bytes. It knows how often each
// callback must run, and notes it with a marker: a log line unique to the callback, first in it.
type generator struct {
	data     []byte
	pos      int
	steps    int // steps written so far, for a budget
	ids      []string
	markers  []marker
	eitherOr []eitherOr
}

// eitherOr names the markers of a request's then, error and closed steps: each time the request
// is made, then or error runs, and closed after it.
type eitherOr struct{ then, onError, closed int }

// A marker is a log line that a callback prints each time it runs.
type marker struct {
	text       string
	runs       int  // how many times it must be printed
	maybeFewer bool // a clear can reach it or what runs it: it may print fewer times
}

const (
	maxGenSteps = 24
	maxGenDepth = 3
)

// next returns the next fuzz byte, or 0 when there are none left.
func (g *generator) next() int {
	if g.pos >= len(g.data) {
		return 0
	}
	g.pos++
	return int(g.data[g.pos-1])
}

func (g *generator) pick(options ...string) string { return options[g.next()%len(options)] }

func (g *generator) scenario() string {
	var b strings.Builder
	fmt.Fprintf(&b, "threadpool: %d\nfiles: {a.txt: hello}\nmain: ", 1+g.next()%4)
	b.WriteString(g.list(0, 1, false))
	b.WriteString("\n")
	return b.String()
}

// list writes a list of steps that runs `runs` times.
func (g *generator) list(depth, runs int, fewer bool) string {
	n := 1 + g.next()%4
	var items []string
	for range n {
		if g.steps >= maxGenSteps {
			break
		}
		items = append(items, g.step(depth, runs, fewer))
	}
	return "[" + strings.Join(items, ", ") + "]"
}

// callback writes the steps of a callback that runs `runs` times, with its marker first.
func (g *generator) callback(name string, depth, runs int, fewer bool) string {
	text := fmt.Sprintf("%s%d", name, len(g.markers))
	g.markers = append(g.markers, marker{text: text, runs: runs, maybeFewer: fewer})
	inner := ""
	if depth < maxGenDepth && g.next()%2 == 0 {
		inner = strings.TrimPrefix(g.list(depth+1, runs, fewer), "[")
		inner = ", " + inner
	} else {
		inner = "]"
	}
	return fmt.Sprintf("[{log: %s}%s", text, inner)
}

// step writes one step that runs `runs` times.
func (g *generator) step(depth, runs int, fewer bool) string {
	g.steps++
	repeat := ""
	if g.next()%5 == 0 {
		r := 1 + g.next()%3
		repeat, runs = fmt.Sprintf(", repeat: %d", r), runs*r
	}
	id := func() (string, bool) {
		if g.next()%3 != 0 {
			return "", false
		}
		name := fmt.Sprintf("id%d", len(g.ids))
		g.ids = append(g.ids, name)
		return ", id: " + name, true
	}
	switch g.next() % 11 {
	case 0:
		return fmt.Sprintf("{log: plain%s}", repeat)
	case 1:
		d := g.pick("0", "1", "5", "10", "100")
		idKey, hasID := id()
		return fmt.Sprintf("{timeout: %s%s%s, then: %s}", d, idKey, repeat, g.callback("T", depth, runs, fewer || hasID))
	case 2:
		d, times := g.pick("1", "5", "10", "50"), 1+g.next()%3
		idKey, hasID := id()
		return fmt.Sprintf("{interval: %s, times: %d%s%s, then: %s}", d, times, idKey, repeat, g.callback("I", depth, runs*times, fewer || hasID))
	case 3:
		idKey, hasID := id()
		return fmt.Sprintf("{immediate: %s%s, then: %s}", idKey, repeat, g.callback("M", depth, runs, fewer || hasID))
	case 4:
		return fmt.Sprintf("{nextTick: %s, then: %s}", repeat, g.callback("N", depth, runs, fewer))
	case 5:
		return fmt.Sprintf("{microtask: %s, then: %s}", repeat, g.callback("Q", depth, runs, fewer))
	case 6:
		return fmt.Sprintf("{block: %s%s}", g.pick("0", "1", "5", "20"), repeat)
	case 7:
		cost := g.pick("0", "1ms", "5ms", "30ms")
		if g.next()%3 == 0 {
			return fmt.Sprintf("{read: missing.txt, cost: %s%s, error: %s}", cost, repeat, g.callback("RE", depth, runs, fewer))
		}
		return fmt.Sprintf("{read: a.txt, cost: %s, as: t%s, then: %s}", cost, repeat, g.callback("R", depth, runs, fewer))
	case 8:
		return fmt.Sprintf("{encrypt: %d, cost: %s, as: n%s, then: %s}", g.next()%93, g.pick("0", "2ms", "20ms"), repeat, g.callback("E", depth, runs, fewer))
	case 9:
		delay := []int{0, 5, 20, 50, 100}[g.next()%5]
		timeout := []int{0, 10, 50}[g.next()%3]
		fault := g.pick("", "", "reset", "close-mid-body", "refuse", "hang")
		if fault == "hang" && timeout == 0 {
			fault = ""
		}
		keys := fmt.Sprintf("delay: %d", delay)
		if timeout > 0 {
			keys += fmt.Sprintf(", timeout: %d", timeout)
		}
		if fault != "" {
			keys += ", respond: {fault: " + fault + "}"
		}
		hc := len(g.markers)
		closed := g.callback("HC", depth, runs, fewer)
		switch {
		case fault != "":
			return fmt.Sprintf("{http: /x, %s%s, error: %s, closed: %s}", keys, repeat, g.callback("HE", depth, runs, fewer), closed)
		case timeout > 0:
			// Which comes first, the response or the deadline, depends on more than the two
			// durations: a block can hold the loop past both, and then poll (the response) or
			// timers (the deadline) may come first. Each time the request is made, one of the
			// two runs, and closed after it.
			h := len(g.markers)
			then := g.callback("H", depth, runs, true)
			he := len(g.markers)
			onError := g.callback("HE", depth, runs, true)
			g.eitherOr = append(g.eitherOr, eitherOr{then: h, onError: he, closed: hc})
			return fmt.Sprintf("{http: /x, %s, as: res%s, then: %s, error: %s, closed: %s}", keys, repeat, then, onError, closed)
		}
		return fmt.Sprintf("{http: /x, %s, as: res%s, then: %s, closed: %s}", keys, repeat, g.callback("H", depth, runs, fewer), closed)
	default:
		if len(g.ids) == 0 {
			return fmt.Sprintf("{log: no-id%s}", repeat)
		}
		return fmt.Sprintf("{clear: %s%s}", g.ids[g.next()%len(g.ids)], repeat)
	}
}
