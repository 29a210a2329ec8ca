package words

import (
	_ "github.com/looptest/looptest/internal/lttest" // every test binary understands -update

	"testing"
)

func TestPlural(t *testing.T) {
	tests := []struct {
		n    int
		word string
		want string
	}{
		{0, "line", "lines"},
		{1, "line", "line"},
		{2, "run", "runs"},
		{-1, "swap", "swaps"},
	}
	for _, tt := range tests {
		if got := Plural(tt.n, tt.word); got != tt.want {
			t.Errorf("Plural(%d, %q) = %q, want %q", tt.n, tt.word, got, tt.want)
		}
	}
}

func TestCapitalize(t *testing.T) {
	tests := []struct{ s, want string }{
		{"", ""},
		{"run a scenario", "Run a scenario"},
		{"Already", "Already"},
		{"1 ms", "1 ms"},
		{"évènement", "Évènement"},
		{"\xffbad", "\xffbad"},
	}
	for _, tt := range tests {
		if got := Capitalize(tt.s); got != tt.want {
			t.Errorf("Capitalize(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
