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

// TestWarnRacesLikelyOrder checks that a timer armed before the run's first log is named as the
// likely first (Node.js's stdout set-up makes it due), and one armed after it as either.
func TestWarnRacesLikelyOrder(t *testing.T) {
	src := `main:
  - timeout: 0
  - log: first
  - timeout: 1
  - immediate:
  - nextTick:
    then:
      - log: in a tick
`
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 2 {
		t.Fatalf("warnings: %v, want 2", s.Warnings)
	}
	if w := s.Warnings[0].String(); !strings.Contains(w, "t.yaml:2:5:") || !strings.Contains(w, "nearly always runs the timer first") {
		t.Errorf("the timer armed before the first log: %s", w)
	}
	if w := s.Warnings[1].String(); !strings.Contains(w, "t.yaml:4:5:") || !strings.Contains(w, "runs either first") {
		t.Errorf("the timer armed after the first log: %s", w)
	}
}
