// Package ordering is the one type of an ordering: the lines a run printed, in order, each with
// the time it came and the step that printed it. Goldens, diffs, verdicts, explore and the
// timeline read and write orderings as Lines; text is only what a file or a terminal holds.
package ordering

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// A Line is one line of an ordering.
type Line struct {
	Text string
	// At is when it was printed, on the run's clock (for a Node.js run, the time the program
	// wrote); 0 for a line read from text.
	At time.Duration
	// Step is the step that printed it, as the run's events name it (in looptest, a
	// *harness.Source); nil for a line read from text.
	Step fmt.Stringer
}

// Lines is an ordering.
type Lines []Line

// Parse reads the lines of an ordering's text. A final newline ends the last line rather than
// starting an empty one, and a line may end with "\r\n" as well as "\n": a golden checked out
// with Windows line ends reads as the same ordering.
func Parse(b []byte) Lines {
	var ls Lines
	for _, t := range Split(b) {
		ls = append(ls, Line{Text: t})
	}
	return ls
}

// Split returns the texts of the lines of an ordering's text, as Parse reads them.
func Split(b []byte) []string {
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Print appends what one log printed: each line of text, all at one time and from one step.
func (ls *Lines) Print(text string, at time.Duration, step fmt.Stringer) {
	for t := range strings.SplitSeq(text, "\n") {
		*ls = append(*ls, Line{Text: t, At: at, Step: step})
	}
}

// Texts returns the text of each line.
func (ls Lines) Texts() []string {
	ts := make([]string, len(ls))
	for i, l := range ls {
		ts[i] = l.Text
	}
	return ts
}

// Bytes returns the ordering as text, each line ending with a newline: what Parse reads.
func (ls Lines) Bytes() []byte {
	var b bytes.Buffer
	for _, l := range ls {
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// FirstDifference returns the index of the first line where got and want differ: in text, or
// by one of them ending first. It returns -1 when they are the same.
func FirstDifference(got, want Lines) int {
	i := 0
	for i < len(got) && i < len(want) && got[i].Text == want[i].Text {
		i++
	}
	if i == len(got) && i == len(want) {
		return -1
	}
	return i
}

// Timed pairs each line of texts with its time; times may be shorter than texts, the last time
// standing for the rest (a log text of several lines is printed at once).
func Timed(texts []string, times []time.Duration) Lines {
	ls := make(Lines, len(texts))
	for i, t := range texts {
		ls[i].Text = t
		switch {
		case i < len(times):
			ls[i].At = times[i]
		case len(times) > 0:
			ls[i].At = times[len(times)-1]
		}
	}
	return ls
}
