package golden

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/looptest/looptest/internal/ordering"
	"github.com/looptest/looptest/internal/words"
	"github.com/rogpeppe/go-internal/diff"
)

// Diff returns a unified diff from golden to got, or nil when they are equal.
//
// The header names both sides and says which one is the golden:
//
//	--- GOLDENNAME (golden)
//	+++ GOTNAME (got)
//
// so lines starting with "-" are expected but missing, and lines starting
// with "+" are produced but not expected. Hunks have three lines of context.
// A last line without a final newline is followed by the usual
// "\ No newline at end of file" line, so the output always ends in a newline.
// Names that hold line breaks or other control characters are quoted.
//
// Lines are matched with an anchored ("patience") diff, which runs in
// O(n log n) time even for millions of lines.
func Diff(goldenName string, golden []byte, gotName string, got []byte) []byte {
	out := diff.Diff(label(goldenName)+" (golden)", golden, label(gotName)+" (got)", got)
	// go-internal starts with "diff OLD NEW", which adds nothing to the
	// header lines and is ambiguous when names contain spaces: drop it.
	if bytes.HasPrefix(out, []byte("diff ")) {
		if i := bytes.IndexByte(out, '\n'); i >= 0 {
			out = out[i+1:]
		}
	}
	return out
}

// label returns name as it appears in a diff header: quoted in Go syntax
// if it holds control characters, which would break the header's lines.
func label(name string) string {
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return strconv.Quote(name)
	}
	return name
}

// DefaultWidth is the width SideBySide uses when given 0.
const DefaultWidth = 160

// Layout of SideBySide.
const (
	// minWidth is the narrowest layout; narrower widths are widened to it.
	minWidth = 20
	// contextLines is how many unchanged lines are shown around a change when
	// unchanged lines are elided.
	contextLines = 3
	// fullRows is the number of rows up to which SideBySide shows every
	// line; beyond it, it shows only the changes and their context.
	fullRows = 200
)

// SideBySide writes two orderings side by side to w, like diff -y, and
// reports whether they are the same.
//
// The orderings are split into lines; a final newline is optional and its
// absence is not a difference. The output is a header naming both sides, one
// row per aligned pair of lines and a one-line verdict:
//
//	  left.txt │ right.txt
//	  a        │ a
//	| b        │ c
//	< d        │
//	  f        │ f
//	>          │ e
//	orderings differ: 1 line only on the left, 1 only on the right, 1 changed
//
// The first column marks each row: ' ' the same line on both sides, '|' a
// line changed from left to right, '<' a line only on the left, '>' a line
// only on the right. When the orderings are the same the verdict is
// "same ordering (N lines)".
//
// Up to 200 rows, every row is shown. Beyond, only changed rows are shown,
// with three unchanged lines around them; each region so shown is preceded
// by a line "@@ left N, right M @@" giving the line numbers, from 1, of its
// first row on each side. Alignment uses the same anchored diff as [Diff],
// in O(n log n) time.
//
// Rows are at most width columns wide (0 means [DefaultWidth]; widths below
// 20 are widened to 20); longer lines are cut and end with "…". Each rune
// counts as one column. Control characters are shown as their Unicode
// control pictures (a tab as "␉"), so that they cannot break the layout.
// A negative width is an error, as is any error writing to w.
func SideBySide(w io.Writer, leftName string, left []byte, rightName string, right []byte, width int) (same bool, err error) {
	if width < 0 {
		return false, fmt.Errorf("side by side: negative width %d", width)
	}
	l, r := ordering.Split(left), ordering.Split(right)
	segs, err := align(l, r)
	if err != nil {
		return false, fmt.Errorf("side by side: %w", err)
	}
	p := newPrinter(w, l, r, width)
	p.header(leftName, rightName)
	p.body(segs)
	st := tally(segs)
	p.verdict(st, len(l))
	if err := p.Flush(); err != nil {
		return false, fmt.Errorf("side by side: %w", err)
	}
	return st.same(), nil
}

// rowKind says how the lines of a row relate.
type rowKind byte

// The kinds of row, as their marks.
const (
	sameRow    rowKind = ' '
	changedRow rowKind = '|'
	leftOnly   rowKind = '<'
	rightOnly  rowKind = '>'
)

// A segment is a run of n rows of one kind, starting at line l on the left
// and line r on the right (from 0). A run only on one side does not advance
// the other: its index there is where the run would be inserted.
type segment struct {
	kind rowKind
	l, r int
	n    int
}

// lines returns how many lines the segment takes from each side.
func (s segment) lines() (nl, nr int) {
	switch s.kind {
	case leftOnly:
		return s.n, 0
	case rightOnly:
		return 0, s.n
	}
	return s.n, s.n
}

// align returns the rows that turn l into r, as segments in order. It reads
// them off go-internal's anchored unified diff: between hunks, and on hunk
// lines starting with ' ', lines are the same; within a run of '-' and '+'
// lines, the first lines of each side are paired as changed and the rest
// are only on one side.
func align(l, r []string) ([]segment, error) {
	b := &segmenter{}
	out := diff.Diff("left", joinLines(l), "right", joinLines(r))
	lines := strings.Split(string(out), "\n")
	if len(lines) > 3 {
		lines = lines[3 : len(lines)-1] // the header, and the empty string after the last newline
	} else {
		lines = nil
	}
	for _, line := range lines {
		if line == "" {
			return nil, fmt.Errorf("aligning lines: empty line in diff")
		}
		switch line[0] {
		case '@':
			b.flush()
			x, y, err := hunkStart(line)
			if err != nil {
				return nil, fmt.Errorf("aligning lines: %w", err)
			}
			if x-b.x != y-b.y || x < b.x {
				return nil, fmt.Errorf("aligning lines: hunk %q does not follow line %d, %d", line, b.x+1, b.y+1)
			}
			b.add(sameRow, x-b.x)
		case ' ':
			b.add(sameRow, 1)
		case '-':
			b.del()
		case '+':
			b.ins()
		default:
			return nil, fmt.Errorf("aligning lines: unexpected diff line %q", line)
		}
	}
	b.flush()
	if len(l)-b.x != len(r)-b.y || len(l) < b.x {
		return nil, fmt.Errorf("aligning lines: diff ends at line %d, %d of %d, %d", b.x, b.y, len(l), len(r))
	}
	b.add(sameRow, len(l)-b.x)
	return b.segs, nil
}

// joinLines is the inverse of splitLines, always with a final newline, so
// that the diff never has to mention a missing one.
func joinLines(lines []string) []byte {
	n := 0
	for _, s := range lines {
		n += len(s) + 1
	}
	b := make([]byte, 0, n)
	for _, s := range lines {
		b = append(b, s...)
		b = append(b, '\n')
	}
	return b
}

// hunkStart returns the first line, from 0, of each side of a hunk whose
// header is "@@ -A,B +C,D @@". As in diff, a side with no lines in the hunk
// (B or D is 0) gives the line after which the hunk goes, not the line
// before it.
func hunkStart(header string) (x, y int, err error) {
	var a, b, c, d int
	if _, err := fmt.Sscanf(header, "@@ -%d,%d +%d,%d @@", &a, &b, &c, &d); err != nil {
		return 0, 0, fmt.Errorf("bad hunk header %q: %w", header, err)
	}
	if b > 0 {
		a--
	}
	if d > 0 {
		c--
	}
	return a, c, nil
}

// A segmenter builds segments from a stream of diff lines. Lines removed
// and added are held until a line of another kind arrives, then paired.
type segmenter struct {
	segs       []segment
	x, y       int // lines of each side taken by segs
	dels, inss int // removed and added lines held
}

// del holds one line removed from the left.
func (b *segmenter) del() {
	if b.inss > 0 {
		b.flush()
	}
	b.dels++
}

// ins holds one line added on the right.
func (b *segmenter) ins() { b.inss++ }

// add appends n rows of kind, after any held lines.
func (b *segmenter) add(kind rowKind, n int) {
	if kind == sameRow {
		b.flush()
	}
	if n == 0 {
		return
	}
	if k := len(b.segs) - 1; k >= 0 && b.segs[k].kind == kind {
		b.segs[k].n += n
	} else {
		b.segs = append(b.segs, segment{kind: kind, l: b.x, r: b.y, n: n})
	}
	nl, nr := segment{kind: kind, n: n}.lines()
	b.x += nl
	b.y += nr
}

// flush turns the held lines into changed rows, then rows on one side.
func (b *segmenter) flush() {
	pairs := min(b.dels, b.inss)
	dels, inss := b.dels-pairs, b.inss-pairs
	b.dels, b.inss = 0, 0
	b.add(changedRow, pairs)
	b.add(leftOnly, dels)
	b.add(rightOnly, inss)
}

// stats counts the rows of each kind that differ.
type stats struct {
	leftOnly, rightOnly, changed int
}

func tally(segs []segment) stats {
	var st stats
	for _, s := range segs {
		switch s.kind {
		case leftOnly:
			st.leftOnly += s.n
		case rightOnly:
			st.rightOnly += s.n
		case changedRow:
			st.changed += s.n
		}
	}
	return st
}

func (st stats) same() bool { return st == stats{} }

// A printer lays out the rows of SideBySide.
type printer struct {
	*bufio.Writer
	l, r       []string
	leftWidth  int  // columns of the left cell
	rightWidth int  // columns of the right cell
	inRegion   bool // whether the last row printed precedes the next one
}

func newPrinter(w io.Writer, l, r []string, width int) *printer {
	if width == 0 {
		width = DefaultWidth
	}
	width = max(width, minWidth)
	// A row is: mark, space, left cell, " │ ", right cell.
	cells := width - len("m ") - len(" | ")
	return &printer{
		Writer:     bufio.NewWriter(w),
		l:          l,
		r:          r,
		leftWidth:  cells / 2,
		rightWidth: cells - cells/2,
	}
}

// header names both sides.
func (p *printer) header(leftName, rightName string) {
	p.row(' ', leftName, rightName, true)
}

// body prints every row if there are few, or else the changed regions and
// their context, each region after a separator.
func (p *printer) body(segs []segment) {
	rows := 0
	for _, s := range segs {
		rows += s.n
	}
	if rows <= fullRows {
		p.inRegion = true // no separators
		for _, s := range segs {
			p.rows(s, 0, s.n)
		}
		return
	}
	for i, s := range segs {
		if s.kind != sameRow {
			p.rows(s, 0, s.n)
			continue
		}
		// Unchanged rows: keep the context after a change and before the
		// next one, elide the rest.
		head, tail := 0, 0
		if i > 0 {
			head = contextLines
		}
		if i < len(segs)-1 {
			tail = contextLines
		}
		if head+tail >= s.n {
			p.rows(s, 0, s.n)
			continue
		}
		p.rows(s, 0, head)
		p.inRegion = false
		p.rows(s, s.n-tail, s.n)
	}
}

// rows prints rows from to to of the segment s, after a separator if they
// start a region.
func (p *printer) rows(s segment, from, to int) {
	if from < to && !p.inRegion {
		l, r := s.l+from, s.r+from
		switch s.kind {
		case leftOnly:
			r = s.r
		case rightOnly:
			l = s.l
		}
		fmt.Fprintf(p, "@@ left %d, right %d @@\n", l+1, r+1)
		p.inRegion = true
	}
	for i := from; i < to; i++ {
		switch s.kind {
		case sameRow, changedRow:
			p.row(s.kind, p.l[s.l+i], p.r[s.r+i], true)
		case leftOnly:
			p.row(s.kind, p.l[s.l+i], "", false)
		case rightOnly:
			p.row(s.kind, "", p.r[s.r+i], true)
		}
	}
}

// row prints one row. The right cell is left out, with the space before it,
// when there is no right line.
func (p *printer) row(mark rowKind, left, right string, hasRight bool) {
	p.WriteByte(byte(mark))
	p.WriteByte(' ')
	n := p.cell(left, p.leftWidth)
	for ; n < p.leftWidth; n++ {
		p.WriteByte(' ')
	}
	p.WriteString(" │")
	if hasRight {
		p.WriteByte(' ')
		p.cell(right, p.rightWidth)
	}
	p.WriteByte('\n')
}

// cell prints s in at most width columns, cut with "…" if longer, with
// control characters shown as pictures, and returns the columns it took.
func (p *printer) cell(s string, width int) int {
	cut := utf8.RuneCountInString(s) > width
	n := 0
	for _, c := range s {
		if cut && n == width-1 {
			p.WriteRune('…')
			return width
		}
		p.WriteRune(visible(c))
		n++
	}
	return n
}

// visible returns c, or its Unicode control picture if it is a control
// character that would move the cursor or be invisible.
func visible(c rune) rune {
	switch {
	case c < 0x20:
		return 0x2400 + c // ␀ to ␟
	case c == 0x7f:
		return '␡'
	case unicode.IsControl(c):
		return utf8.RuneError
	}
	return c
}

// verdict prints the last line: whether the orderings are the same and if
// not, how they differ.
func (p *printer) verdict(st stats, lines int) {
	if st.same() {
		fmt.Fprintf(p, "same ordering (%d %s)\n", lines, words.Plural(lines, "line"))
		return
	}
	fmt.Fprintf(p, "orderings differ: %d %s only on the left, %d only on the right, %d changed\n",
		st.leftOnly, words.Plural(st.leftOnly, "line"), st.rightOnly, st.changed)
}
