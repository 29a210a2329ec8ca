package verdict

import (
	_ "github.com/looptest/looptest/internal/lttest" // every test binary understands -update

	"errors"
	"strings"
	"testing"
	"time"

	"github.com/looptest/looptest/internal/ordering"
)

const ms = time.Millisecond

func lines(spec ...any) ordering.Lines {
	var ls ordering.Lines
	for i := 0; i < len(spec); i += 2 {
		ls = append(ls, ordering.Line{Text: spec[i].(string), At: time.Duration(spec[i+1].(int)) * ms})
	}
	return ls
}

func TestJudge(t *testing.T) {
	want := lines("a", 0, "b", 50, "c", 50, "d", 100)
	tests := []struct {
		name string
		got  ordering.Lines
		v    Verdict
	}{
		{"same order, other times", lines("a", 3, "b", 70, "c", 71, "d", 101), Pass},
		{"a line came past its margin", lines("a", 0, "c", 52, "d", 100, "b", 160), Inconclusive},
		{"two lines of one instant swapped", lines("a", 0, "c", 50, "b", 50, "d", 100), Fail},
		{"a line missing", lines("a", 0, "b", 50, "c", 50), Fail},
		{"a line came early", lines("a", 0, "d", 60, "b", 61, "c", 62), Fail},
		{"a line extra", lines("a", 0, "b", 50, "c", 50, "d", 100, "e", 100), Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := Judge(want, tt.got)
			if j.Verdict != tt.v {
				t.Errorf("verdict %v, want %v:\n%s", j.Verdict, tt.v, j)
			}
		})
	}
}

// TestJudgeGaps checks that a line missing or extra is judged by the lateness of its neighbour,
// as a swap is: an interval cleared by a callback that came late ticks once more; one whose
// ticks came late misses its last tick before the timer that clears it.
func TestJudgeGaps(t *testing.T) {
	tests := []struct {
		name      string
		want, got ordering.Lines
		v         Verdict
		evidence  string
	}{
		{"a tick more: the read that clears the interval came 8ms late",
			lines("tick", 10, "tick", 20, "read", 25), lines("tick", 10, "tick", 20, "tick", 30, "read", 33),
			Inconclusive, `the line after it, "read" (at 25ms), came 8ms late: on time it would have come first: load explains it`},
		{"a tick more, before the read was due",
			lines("tick", 10, "tick", 20, "read", 25), lines("tick", 10, "tick", 20, "tick", 24, "read", 33),
			Fail, `it came 1ms before the line after it, "read", was due (at 25ms): no lateness explains it`},
		{"a tick more, the read on time",
			lines("tick", 10, "tick", 20, "read", 30), lines("tick", 10, "tick", 20, "tick", 30, "read", 31),
			Fail, `the line after it, "read" (at 30ms), came 1ms late: no lateness explains it`},
		{"a tick less: the ticks came 8ms late, past the clearing timer",
			lines("tick", 10, "tick", 20, "tick", 30, "cleared", 35), lines("tick", 10, "tick", 28, "cleared", 35),
			Inconclusive, `the line before it, "tick" (at 20ms), came 8ms late, past the 5ms to the next line: load explains it`},
		{"a tick less, the ticks on time",
			lines("tick", 10, "tick", 20, "tick", 30, "cleared", 35), lines("tick", 10, "tick", 21, "cleared", 35),
			Fail, `the line before it, "tick" (at 20ms), came 1ms late, within the 5ms to the next line (or under 2ms): no lateness explains it`},
		{"the first line missing", lines("a", 0, "b", 5), lines("b", 40), Fail, "no line before it came"},
		{"a line extra at the end", lines("a", 0), lines("a", 0, "b", 40), Fail, "no line of the golden came after it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := Judge(tt.want, tt.got)
			if j.Verdict != tt.v || !strings.Contains(j.String(), tt.evidence) {
				t.Errorf("verdict %v, want %v with %q:\n%s", j.Verdict, tt.v, tt.evidence, j)
			}
		})
	}
}

// TestJudgeOneInstantLate checks that two lines of one instant swapped are a failure however
// late both came, and that the evidence says what it means: not "on time", but within Noise of
// each other's lateness.
func TestJudgeOneInstantLate(t *testing.T) {
	j := Judge(lines("a", 50, "b", 50), lines("b", 108, "a", 108))
	out := j.String()
	if j.Verdict != Fail || !strings.Contains(out, "they came within 2ms of each other's lateness") || strings.Contains(out, "on time") {
		t.Errorf("two lines of one instant, both 58ms late, swapped:\n%s", out)
	}
}

func TestJudgeEvidence(t *testing.T) {
	want := lines("timer", 50, "read", 100)
	j := Judge(want, lines("read", 101, "timer", 180))
	if len(j.Swaps) != 1 {
		t.Fatalf("swaps %v, want one", j.Swaps)
	}
	s := j.Swaps[0]
	if s.First.Text != "timer" || s.First.Late() != 130*ms || s.Second.Late() != ms || s.Margin() != 50*ms || !s.Explained {
		t.Errorf("swap %+v: want timer 130ms late past a 50ms margin", s)
	}
	out := j.String()
	for _, want := range []string{"verdict: inconclusive (load)", `"timer" (at 50ms, came at 180ms, 130ms late)`, "50ms apart, and the first came later than that"} {
		if !strings.Contains(out, want) {
			t.Errorf("the evidence lacks %q:\n%s", want, out)
		}
	}
}

func TestJudgeRepeatedLines(t *testing.T) {
	want := lines("tick", 10, "tick", 20, "done", 20)
	if j := Judge(want, lines("tick", 10, "done", 20, "tick", 21)); j.Verdict != Fail {
		t.Errorf("the second tick after done, at one instant: %v, want failure", j.Verdict)
	}
	if j := Judge(want, lines("tick", 10, "tick", 20, "done", 20)); j.Verdict != Pass {
		t.Errorf("same lines: %v", j.Verdict)
	}
}

func TestCheck(t *testing.T) {
	want := lines("a", 0, "b", 50)
	late := lines("b", 50, "a", 90)
	onTime := lines("a", 0, "b", 50)
	early := lines("b", 0, "a", 0)
	seq := func(runs ...ordering.Lines) func() (ordering.Lines, error) {
		i := 0
		return func() (ordering.Lines, error) { i++; return runs[min(i, len(runs))-1], nil }
	}
	tests := []struct {
		name string
		run  func() (ordering.Lines, error)
		v    Verdict
		runs int
	}{
		{"a pass", seq(onTime), Pass, 1},
		{"late, then on time", seq(late, late, onTime), Pass, 3},
		{"late every time", seq(late), Inconclusive, 1 + MaxReruns},
		{"a line early after a late run", seq(late, early), Fail, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Check(want, tt.run)
			if err != nil || res.Verdict != tt.v || len(res.Runs) != tt.runs {
				t.Errorf("Check: %v after %d runs (%v), want %v after %d:\n%s", res.Verdict, len(res.Runs), err, tt.v, tt.runs, res)
			}
		})
	}
	boom := errors.New("boom")
	if _, err := Check(want, func() (ordering.Lines, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("Check's error: %v, want the run's", err)
	}
}
