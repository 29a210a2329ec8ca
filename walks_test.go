package looptest_test

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/loop"
)

// walkClaims are the phrases in which a `# Why this order:` walk states a time, as a bare number
// of milliseconds (a duration is written with its unit, "blocks 50 ms", and is not checked).
// An instant must be the time of some event of the run; a deadline, one a timer was armed with
// (or an instant). Which event a phrase means is left to the reader: a time that no event has,
// the mark of a walk counted with other rules, is what this catches.
var walkClaims = []struct {
	re       *regexp.Regexp
	deadline bool
}{
	{regexp.MustCompile(`\b(?:t=|clock |update time |loop time |blocks to |waits to |timers at |done (?:at )?|(?:fails|answered|ready|written(?: now,)?) at )(\d+)(\s*m?s\b)?`), false},
	{regexp.MustCompile(`\b(?:deadline |due (?:at )?|expiry |rearm(?:ed)? for |nearer than |due since )(\d+)(\s*m?s\b)?`), true},
	{regexp.MustCompile(`\b(\d+)( ms)? (?:is )?not due`), true},
}

// TestWalks checks every time the `# Why this order:` walk atop each scenario states against a
// virtual run of it, so that a walk cannot drift from the rules it explains.
func TestWalks(t *testing.T) {
	eachScenario(t, func(t *testing.T, file string, s *harness.Scenario) {
		t.Parallel()
		walk, err := readWalk(file)
		if err != nil {
			t.Fatal(err)
		}
		if walk == "" {
			t.Fatal("no `# Why this order` walk in the comment lines that open the file")
		}
		var rec loop.Recorder
		if err := s.Ended(s.Run(harness.RunOptions{Recorder: &rec})); err != nil {
			t.Fatalf("run: %v", err)
		}
		instants, deadlines := map[time.Duration]bool{}, map[time.Duration]bool{}
		for _, e := range rec.Events() {
			instants[e.Time] = true
			if e.Kind == loop.KindTimerArmed {
				deadlines[e.Arg] = true
			}
		}
		polls := map[time.Duration][]int{} // the iterations whose poll ended at each instant
		for _, e := range rec.Events() {
			if e.Kind == loop.KindPoll {
				polls[e.Time] = append(polls[e.Time], e.Tick)
			}
		}
		for _, tw := range tickWaits(walk) {
			if !slices.ContainsFunc(polls[tw.at], func(tick int) bool { return tick >= tw.first && tick <= tw.last }) {
				t.Errorf("the walk says %q: no poll of iteration %d-%d ends at %v (the run's polls ending then: %v)", tw.text, tw.first, tw.last, tw.at, polls[tw.at])
			}
		}
		for _, c := range walkClaims {
			for _, m := range c.re.FindAllStringSubmatch(walk, -1) {
				if m[2] != "" {
					continue // a duration
				}
				n, _ := strconv.Atoi(m[1])
				d := time.Duration(n) * time.Millisecond
				if !instants[d] && !(c.deadline && deadlines[d]) {
					what := "no event of the run happens at"
					if c.deadline {
						what = "no timer of the run is due at, and no event happens at,"
					}
					t.Errorf("the walk says %q: %s %v", m[0], what, d)
				}
			}
		}
	})
}

// A tickWait is a walk's "tick N ... waits to T": the poll of iteration N (or of one of N-M)
// ends at T.
type tickWait struct {
	text        string
	first, last int
	at          time.Duration
}

var (
	tickLine = regexp.MustCompile(`\bticks? (\d+)(?:-(\d+))?\b`)
	waitsTo  = regexp.MustCompile(`\bwaits (?:to|until)(?: the timeout's)? (?:t=)?(\d+)\b`)
)

// tickWaits returns the waits a walk states within its "tick N" paragraphs: the text from each
// "tick N" or "ticks N-M" that opens a step of the walk to the next step.
func tickWaits(walk string) []tickWait {
	var ws []tickWait
	steps := regexp.MustCompile(`\b(?:ticks? \d+(?:-\d+)?|t=\d+|before tick \d+)\s\s`).FindAllStringIndex(walk, -1)
	for i, st := range steps {
		end := len(walk)
		if i+1 < len(steps) {
			end = steps[i+1][0]
		}
		m := tickLine.FindStringSubmatch(walk[st[0]:st[1]])
		if m == nil || strings.HasPrefix(walk[st[0]:st[1]], "before") {
			continue
		}
		first, _ := strconv.Atoi(m[1])
		last := first
		if m[2] != "" {
			last, _ = strconv.Atoi(m[2])
		}
		for _, w := range waitsTo.FindAllStringSubmatch(walk[st[1]:end], -1) {
			n, _ := strconv.Atoi(w[1])
			ws = append(ws, tickWait{m[0] + " ... " + w[0], first, last, time.Duration(n) * time.Millisecond})
		}
	}
	return ws
}

// readWalk returns the `# Why this order` walk of a scenario file: its comment lines from that
// one to the first line that is not a comment, joined by spaces without their `#`.
func readWalk(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var walk []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "#")
		if !ok {
			break
		}
		if walk != nil || strings.Contains(line, "Why this order") {
			walk = append(walk, strings.TrimSpace(line))
		}
	}
	return strings.Join(walk, " "), sc.Err()
}
