package golden

import (
	_ "github.com/looptest/looptest/internal/lttest" // every test binary understands -update

	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name        string
		golden, got string
		want        string
	}{{
		name:   "equal",
		golden: "a\nb\n",
		got:    "a\nb\n",
		want:   "",
	}, {
		name:   "changed line",
		golden: "a\nb\nc\n",
		got:    "a\nx\nc\n",
		want: "--- g (golden)\n+++ o (got)\n" +
			"@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n",
	}, {
		name:   "golden empty",
		golden: "",
		got:    "a\n",
		want:   "--- g (golden)\n+++ o (got)\n@@ -0,0 +1,1 @@\n+a\n",
	}, {
		name:   "got lacks final newline",
		golden: "a\nb\n",
		got:    "a\nb",
		want: "--- g (golden)\n+++ o (got)\n" +
			"@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n",
	}, {
		name:   "both lack final newline",
		golden: "a\nz",
		got:    "b\nz",
		want: "--- g (golden)\n+++ o (got)\n" +
			"@@ -1,2 +1,2 @@\n-a\n+b\n z\n\\ No newline at end of file\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff("g", []byte(tt.golden), "o", []byte(tt.got))
			if string(got) != tt.want {
				t.Errorf("Diff:\n%s\nwant:\n%s", got, tt.want)
			}
			if tt.want == "" && got != nil {
				t.Errorf("Diff of equal inputs = %q, want nil", got)
			}
		})
	}
}

func TestDiffQuotesNamesWithLineBreaks(t *testing.T) {
	got := Diff("a\nb", []byte("x\n"), "c", []byte("y\n"))
	want := "--- \"a\\nb\" (golden)\n+++ c (got)\n@@ -1,1 +1,1 @@\n-x\n+y\n"
	if string(got) != want {
		t.Errorf("Diff:\n%s\nwant:\n%s", got, want)
	}
}

// sideBySide runs SideBySide with names "left" and "right" and returns its
// output, failing the test on error.
func sideBySide(t *testing.T, left, right string, width int) (string, bool) {
	t.Helper()
	var buf bytes.Buffer
	same, err := SideBySide(&buf, "left", []byte(left), "right", []byte(right), width)
	if err != nil {
		t.Fatalf("SideBySide: %v", err)
	}
	return buf.String(), same
}

func TestSideBySide(t *testing.T) {
	tests := []struct {
		name        string
		left, right string
		width       int
		want        string
		same        bool
	}{{
		name:  "same",
		left:  "a\nb\n",
		right: "a\nb\n",
		width: 20,
		want: "" +
			"  left    │ right\n" +
			"  a       │ a\n" +
			"  b       │ b\n" +
			"same ordering (2 lines)\n",
		same: true,
	}, {
		name:  "final newline does not matter",
		left:  "a\n",
		right: "a",
		width: 20,
		want: "" +
			"  left    │ right\n" +
			"  a       │ a\n" +
			"same ordering (1 line)\n",
		same: true,
	}, {
		name:  "both empty",
		width: 20,
		want: "" +
			"  left    │ right\n" +
			"same ordering (0 lines)\n",
		same: true,
	}, {
		name:  "changed",
		left:  "a\nb\nc\n",
		right: "a\nx\nc\n",
		width: 20,
		want: "" +
			"  left    │ right\n" +
			"  a       │ a\n" +
			"| b       │ x\n" +
			"  c       │ c\n" +
			"orderings differ: 0 lines only on the left, 0 only on the right, 1 changed\n",
	}, {
		name:  "only left",
		left:  "a\nb\nc\n",
		right: "a\nc\n",
		width: 20,
		want: "" +
			"  left    │ right\n" +
			"  a       │ a\n" +
			"< b       │\n" +
			"  c       │ c\n" +
			"orderings differ: 1 line only on the left, 0 only on the right, 0 changed\n",
	}, {
		name:  "only right",
		left:  "",
		right: "a\nb\n",
		width: 20,
		want: "" +
			"  left    │ right\n" +
			">         │ a\n" +
			">         │ b\n" +
			"orderings differ: 0 lines only on the left, 2 only on the right, 0 changed\n",
	}, {
		name:  "changed and only left",
		left:  "start\nb\nc\nd\nend\n",
		right: "start\nx\nend\n",
		width: 24,
		want: "" +
			"  left      │ right\n" +
			"  start     │ start\n" +
			"| b         │ x\n" +
			"< c         │\n" +
			"< d         │\n" +
			"  end       │ end\n" +
			"orderings differ: 2 lines only on the left, 0 only on the right, 1 changed\n",
	}, {
		name:  "long lines are cut",
		left:  "0123456789abc\n",
		right: "0123456789abcdef\n",
		width: 20,
		want: "" +
			"  left    │ right\n" +
			"| 012345… │ 0123456…\n" +
			"orderings differ: 0 lines only on the left, 0 only on the right, 1 changed\n",
	}, {
		name:  "exact fit is not cut",
		left:  "0123456\n",
		right: "01234567\n",
		width: 20,
		want: "" +
			"  left    │ right\n" +
			"| 0123456 │ 01234567\n" +
			"orderings differ: 0 lines only on the left, 0 only on the right, 1 changed\n",
	}, {
		name:  "narrow width is widened",
		left:  "a\n",
		right: "a\n",
		width: 3,
		want: "" +
			"  left    │ right\n" +
			"  a       │ a\n" +
			"same ordering (1 line)\n",
		same: true,
	}, {
		name:  "control characters are shown",
		left:  "a\tb\r\x1b\n",
		right: "a\tb\n",
		width: 20,
		want: "" +
			"  left    │ right\n" +
			"| a␉b␍␛   │ a␉b\n" +
			"orderings differ: 0 lines only on the left, 0 only on the right, 1 changed\n",
	}, {
		name:  "unicode counts in runes",
		left:  "héllo→\n",
		right: "héllo→\n",
		width: 20,
		want: "" +
			"  left    │ right\n" +
			"  héllo→  │ héllo→\n" +
			"same ordering (1 line)\n",
		same: true,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, same := sideBySide(t, tt.left, tt.right, tt.width)
			if got != tt.want {
				t.Errorf("SideBySide output:\n%s\nwant:\n%s", got, tt.want)
			}
			if same != tt.same {
				t.Errorf("SideBySide same = %v, want %v", same, tt.same)
			}
		})
	}
}

func TestSideBySideDefaultWidth(t *testing.T) {
	long := strings.Repeat("x", 200)
	got, _ := sideBySide(t, long, long+"y", 0)
	for i, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if n := len([]rune(line)); n > DefaultWidth {
			t.Errorf("line %d is %d columns wide, want at most %d", i+1, n, DefaultWidth)
		}
	}
	if !strings.Contains(got, "x…") {
		t.Errorf("long lines are not cut:\n%s", got)
	}
}

func TestSideBySideNegativeWidth(t *testing.T) {
	var buf bytes.Buffer
	if _, err := SideBySide(&buf, "l", nil, "r", nil, -1); err == nil {
		t.Error("SideBySide with width -1: no error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestSideBySideWriteError(t *testing.T) {
	_, err := SideBySide(failingWriter{}, "l", []byte("a\n"), "r", []byte("a\n"), 0)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("SideBySide to a failing writer: error %v, want one about the write", err)
	}
}

// numbered returns lines "line 1" to "line n", one per line.
func numbered(n int) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d", i+1)
	}
	return lines
}

func join(lines []string) string { return strings.Join(lines, "\n") + "\n" }

func TestSideBySideElidesUnchangedLines(t *testing.T) {
	left := numbered(1000)
	right := numbered(1000)
	right[499] = "changed"                             // line 500
	right = append(right[:799:799], right[800:]...)    // drop line 800
	right = append(right[:996:996], "new", right[996]) // insert after line 997, drop 999 and 1000
	got, same := sideBySide(t, join(left), join(right), 30)
	want := "" +
		"  left         │ right\n" +
		"@@ left 497, right 497 @@\n" +
		"  line 497     │ line 497\n" +
		"  line 498     │ line 498\n" +
		"  line 499     │ line 499\n" +
		"| line 500     │ changed\n" +
		"  line 501     │ line 501\n" +
		"  line 502     │ line 502\n" +
		"  line 503     │ line 503\n" +
		"@@ left 797, right 797 @@\n" +
		"  line 797     │ line 797\n" +
		"  line 798     │ line 798\n" +
		"  line 799     │ line 799\n" +
		"< line 800     │\n" +
		"  line 801     │ line 801\n" +
		"  line 802     │ line 802\n" +
		"  line 803     │ line 803\n" +
		"@@ left 995, right 994 @@\n" +
		"  line 995     │ line 995\n" +
		"  line 996     │ line 996\n" +
		"  line 997     │ line 997\n" +
		">              │ new\n" +
		"  line 998     │ line 998\n" +
		"< line 999     │\n" +
		"< line 1000    │\n" +
		"orderings differ: 3 lines only on the left, 1 only on the right, 1 changed\n"
	if got != want {
		t.Errorf("SideBySide output:\n%s\nwant:\n%s", got, want)
	}
	if same {
		t.Error("SideBySide same = true for different orderings")
	}
}

func TestSideBySideJoinsCloseChanges(t *testing.T) {
	left := numbered(300)
	right := numbered(300)
	right[99] = "x"  // line 100
	right[105] = "y" // line 106: 5 unchanged lines between, fewer than 2×3+1
	got, _ := sideBySide(t, join(left), join(right), 30)
	want := "" +
		"  left         │ right\n" +
		"@@ left 97, right 97 @@\n" +
		"  line 97      │ line 97\n" +
		"  line 98      │ line 98\n" +
		"  line 99      │ line 99\n" +
		"| line 100     │ x\n" +
		"  line 101     │ line 101\n" +
		"  line 102     │ line 102\n" +
		"  line 103     │ line 103\n" +
		"  line 104     │ line 104\n" +
		"  line 105     │ line 105\n" +
		"| line 106     │ y\n" +
		"  line 107     │ line 107\n" +
		"  line 108     │ line 108\n" +
		"  line 109     │ line 109\n" +
		"orderings differ: 0 lines only on the left, 0 only on the right, 2 changed\n"
	if got != want {
		t.Errorf("SideBySide output:\n%s\nwant:\n%s", got, want)
	}
}

func TestSideBySideLargeSame(t *testing.T) {
	s := join(numbered(10_000))
	got, same := sideBySide(t, s, s, 0)
	want := "  left" + strings.Repeat(" ", (DefaultWidth-5)/2-len("left")) + " │ right\nsame ordering (10000 lines)\n"
	if got != want || !same {
		t.Errorf("SideBySide of equal large inputs = %v,\n%q\nwant true,\n%q", same, got, want)
	}
}

// TestSideBySideMillionLines checks that a million lines with changes
// spread all over are compared in O(n log n) time: a quadratic alignment
// would take hours.
func TestSideBySideMillionLines(t *testing.T) {
	if testing.Short() {
		t.Skip("slow in -short mode")
	}
	const n = 1_000_000
	left, right := numbered(n), numbered(n)
	for i := 0; i < n; i += 10_000 {
		right[i] = "changed"
	}
	start := time.Now()
	var buf bytes.Buffer
	same, err := SideBySide(&buf, "left", []byte(join(left)), "right", []byte(join(right)), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d lines compared in %v", n, time.Since(start))
	if same {
		t.Error("SideBySide same = true for different orderings")
	}
	last := buf.String()[strings.LastIndex(strings.TrimSuffix(buf.String(), "\n"), "\n")+1:]
	want := "orderings differ: 0 lines only on the left, 0 only on the right, 100 changed\n"
	if last != want {
		t.Errorf("verdict %q, want %q", last, want)
	}
	if got := strings.Count(buf.String(), "\n@@ left "); got != 100 {
		t.Errorf("%d regions, want 100", got)
	}
}
