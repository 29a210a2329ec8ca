package harness

import (
	"strings"
	"testing"
)

func TestWarnRaces(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // the warnings' positions
	}{
		{"timeout 0 and immediate from main", "main:\n  - immediate:\n  - timeout: 0\n", []string{"t.yaml:3:5"}},
		{"from a nextTick of main", "main:\n  - microtask:\n    then:\n      - interval: 1\n        times: 1\n  - immediate:\n", []string{"t.yaml:4:9"}},
		{"2ms is due only after main took 2ms", "main:\n  - timeout: 2\n  - immediate:\n", nil},
		{"no immediate", "main:\n  - timeout: 0\n", nil},
		{"a block settles it", "main:\n  - timeout: 0\n  - block: 1ms\n  - immediate:\n", nil},
		{"a short block does not", "main:\n  - timeout: 0\n  - block: 500us\n  - immediate:\n", []string{"t.yaml:2:5"}},
		{"in a timer callback", "main:\n  - timeout: 5\n    then:\n      - timeout: 0\n      - immediate:\n", nil},
		{"a timer armed after a block is not settled by it", "main:\n  - timeout: 0\n  - block: 1ms\n  - timeout: 1\n  - immediate:\n", []string{"t.yaml:4:5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range s.Warnings {
				got = append(got, w.Pos.String())
			}
			if len(got) != len(tt.want) || len(got) > 0 && got[0] != tt.want[0] {
				t.Errorf("warnings at %v, want %v", got, tt.want)
			}
		})
	}
}

// TestWarnRacesLikelyOrder checks which order each warning names as likely: a timer armed
// before the run's first log runs first nearly always (Node.js's stdout set-up makes it due,
// rule 17); one armed after it usually, when a line is printed after main (Node.js finishes main
// before it, rule 19); otherwise either.
func TestWarnRacesLikelyOrder(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // a phrase of each warning, in order
	}{
		{"before and after the first log, a line after main", `main:
  - timeout: 0
  - log: first
  - timeout: 1
  - immediate:
  - nextTick:
    then:
      - log: in a tick
`, []string{"t.yaml:2:5: warning: timeout 0 and the immediate at 5:5 are both armed before the first iteration: Node.js nearly always runs the timer first",
			"t.yaml:4:5: warning: timeout 1 and the immediate at 5:5 are both armed before the first iteration: Node.js usually runs the timer first"}},
		{"after the first log, no line after main", `main:
  - log: first
  - timeout: 1
  - immediate:
  - nextTick:
    then:
      - timeout: 5
`, []string{"t.yaml:3:5: warning: timeout 1 and the immediate at 4:5 are both armed before the first iteration, and Node.js runs either first"}},
		{"the first line of all after main is the set-up", `main:
  - timeout: 1
  - immediate:
  - nextTick:
    then:
      - log: in a tick
`, []string{"t.yaml:2:5: warning: timeout 1 and the immediate at 3:5 are both armed before the first iteration: Node.js nearly always runs the timer first"}},
		{"a timer armed after the line after main", `main:
  - log: first
  - immediate:
  - nextTick:
    then:
      - log: in a tick
      - timeout: 1
`, []string{"t.yaml:7:9: warning: timeout 1 and the immediate at 3:5 are both armed before the first iteration, and Node.js runs either first"}},
		{"a 2 ms timer with a line after main", `main:
  - log: first
  - timeout: 2
  - immediate:
  - nextTick:
    then:
      - log: tick
`, []string{"t.yaml:3:5: warning: timeout 2 and the immediate at 4:5 are both armed before the first iteration: Node.js usually runs the immediate first"}},
		{"a 2 ms timer without one, or armed before the first log", `main:
  - timeout: 2
  - log: first
  - timeout: 2
  - immediate:
`, nil},
		{"only the first line after main counts", `main:
  - log: first
  - immediate:
  - nextTick:
    then:
      - log: a
      - timeout: 1
      - log: b
`, []string{"t.yaml:7:9: warning: timeout 1 and the immediate at 3:5 are both armed before the first iteration, and Node.js runs either first"}},
		{"main's nextTicks run before its microtasks", `main:
  - log: first
  - immediate:
  - microtask:
    then:
      - timeout: 1
  - nextTick:
    then:
      - log: tick
`, []string{"t.yaml:6:9: warning: timeout 1 and the immediate at 3:5 are both armed before the first iteration, and Node.js runs either first"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Warnings) != len(tt.want) {
				t.Fatalf("warnings: %v, want %d", s.Warnings, len(tt.want))
			}
			for i, w := range s.Warnings {
				if !strings.HasPrefix(w.String(), tt.want[i]) {
					t.Errorf("warning %d:\n%s\nwant it to begin\n%s", i, w, tt.want[i])
				}
			}
		})
	}
}
