package ordering

import (
	"slices"
	"testing"
	"time"

	_ "github.com/looptest/looptest/internal/lttest" // every test binary understands -update
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"\n", nil},
		{"a", []string{"a"}},
		{"a\n", []string{"a"}},
		{"a\nb\n", []string{"a", "b"}},
		{"a\r\nb\r\n", []string{"a", "b"}},
		{"a\n\nb\n", []string{"a", "", "b"}},
		{"a\n\n", []string{"a", ""}},
	} {
		if got := Parse([]byte(c.in)).Texts(); !slices.Equal(got, c.want) {
			t.Errorf("Parse(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestBytesRoundTrip(t *testing.T) {
	for _, in := range []string{"", "a\n", "a\nb\n", "a\n\nb\n"} {
		if got := string(Parse([]byte(in)).Bytes()); got != in {
			t.Errorf("Parse(%q).Bytes() = %q", in, got)
		}
	}
}

type step string

func (s step) String() string { return string(s) }

func TestPrint(t *testing.T) {
	var ls Lines
	ls.Print("one", time.Millisecond, step("a"))
	ls.Print("two\nthree", 2*time.Millisecond, step("b"))
	want := Lines{{"one", time.Millisecond, step("a")}, {"two", 2 * time.Millisecond, step("b")}, {"three", 2 * time.Millisecond, step("b")}}
	if !slices.Equal(ls, want) {
		t.Errorf("got %v, want %v", ls, want)
	}
}

func TestFirstDifference(t *testing.T) {
	p := func(s string) Lines { return Parse([]byte(s)) }
	for _, c := range []struct {
		got, want string
		i         int
	}{
		{"a\nb\n", "a\nb\n", -1},
		{"a\nb\n", "a\nc\n", 1},
		{"a\n", "a\nb\n", 1},
		{"a\nb\n", "a\n", 1},
		{"", "a\n", 0},
	} {
		if i := FirstDifference(p(c.got), p(c.want)); i != c.i {
			t.Errorf("FirstDifference(%q, %q) = %d, want %d", c.got, c.want, i, c.i)
		}
	}
}

func TestTimed(t *testing.T) {
	ms := time.Millisecond
	got := Timed([]string{"a", "b", "c"}, []time.Duration{ms, 2 * ms})
	want := Lines{{Text: "a", At: ms}, {Text: "b", At: 2 * ms}, {Text: "c", At: 2 * ms}}
	if !slices.Equal(got, want) {
		t.Errorf("Timed = %v, want %v", got, want)
	}
	if got := Timed([]string{"a"}, nil); !slices.Equal(got, Lines{{Text: "a"}}) {
		t.Errorf("Timed without times = %v", got)
	}
}
