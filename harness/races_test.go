package harness

import "testing"

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
