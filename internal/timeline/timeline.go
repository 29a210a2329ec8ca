// Package timeline draws a run of the loop as a picture: a lane for each thread (the loop's main
// thread, each pool worker, the poller's sockets), the iterations and phases as bands, each
// callback as a box named by its step and holding what it logged, and a line from each
// submission to its completion.
//
// Under the virtual clock callbacks take no time, so the horizontal axis is not a time scale:
// each callback has a column of its own, in the order callbacks ran, and where the loop waited
// the axis shows how long. Work on other threads spans the columns between its start and its end.
// The picture is self-contained SVG, alone or in an HTML page: no script, no network.
package timeline

import (
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/words"
	"github.com/looptest/looptest/loop"
)

// Geometry, in SVG pixels.
const (
	colW  = 170 // a callback's column
	gapW  = 70  // a wait between columns
	left  = 90  // room for lane names
	top   = 60  // room for the title and the tick band
	laneH = 96
	boxH  = 84
)

// Bounds on what is drawn, so that a run of millions of callbacks still makes a page of
// reasonable size; what is left out is counted, and the picture says so.
const (
	maxCols = 2000 // callbacks
	maxOps  = 2000 // tasks and requests
	maxLogs = 100  // lines logged by one callback, kept for its title
)

// column is one callback on the main thread.
type column struct {
	x      int
	time   time.Duration
	tick   int
	phase  loop.Phase
	label  string // the callback in full, for its title
	short  string // the callback for its box: without the file
	kind   loop.Kind
	logs   []string
	more   int           // lines logged beyond maxLogs
	waited time.Duration // how long poll waited just before this column
}

// op is an operation seen through its events: a pool task or an HTTP request.
type op struct {
	kind          loop.Kind // KindTaskQueued or KindRequestSent
	label         string    // in full, for its title
	short         string    // for its box: without the file
	thread        loop.Thread
	from, to      int // the columns that submitted it and ran its callback; -1 when unknown
	start, finish time.Duration
	hasStart      bool
	end           ending
}

// ending says how a request ended: with its response, by its timeout, or not at all.
type ending uint8

const (
	answered ending = iota
	timedOut        // its timeout's callback ran instead of a response's
	hung            // still waiting when the run stopped
)

type picture struct {
	title   string
	cols    []*column
	ops     []*op
	workers int
	cut     int // callbacks left out
	opsCut  int // tasks and requests left out
	width   int
	height  int
}

// WriteSVG draws events, as a Recorder gives them, as an SVG image.
func WriteSVG(w io.Writer, events []loop.Event, title string) error {
	p := layout(events, title)
	var b strings.Builder
	p.svg(&b, true)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteHTML draws events as a self-contained HTML page holding the SVG image.
func WriteHTML(w io.Writer, events []loop.Event, title string) error {
	p := layout(events, title)
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n", html.EscapeString(title))
	b.WriteString("<style>body{margin:16px;font-family:system-ui,sans-serif;background:#fff}h1{font-size:18px;font-weight:600}p{color:#555;font-size:13px}</style>\n</head>\n<body>\n")
	drawn := ""
	if p.cut > 0 {
		drawn = fmt.Sprintf(" (the first %d drawn)", len(p.cols))
	}
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p>%d callbacks on the main thread%s, %d pool %s. Columns are callbacks in the order they ran; hover a box for details.</p>\n",
		html.EscapeString(title), len(p.cols)+p.cut, drawn, p.workers, words.Plural(p.workers, "worker"))
	p.svg(&b, false)
	b.WriteString("\n</body>\n</html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// layout assigns every callback a column and links every operation's events.
func layout(events []loop.Event, title string) *picture {
	p := &picture{title: title}
	byID := map[uint64]*op{}
	var cur *column
	tick := 0
	var waited time.Duration
	newCol := func(e loop.Event, label, short string) {
		if len(p.cols) >= maxCols {
			cur = nil
			p.cut++
			return
		}
		cur = &column{time: e.Time, tick: tick, phase: e.Phase, label: label, short: short, kind: e.Kind, waited: waited}
		waited = 0
		p.cols = append(p.cols, cur)
	}
	for _, e := range events {
		if e.Thread != loop.MainThread {
			if o := byID[e.ID]; o != nil {
				o.thread = e.Thread
				p.workers = max(p.workers, int(e.Thread)+1)
				switch e.Kind {
				case loop.KindTaskStarted:
					o.start, o.hasStart = e.Time, true
				case loop.KindTaskFinished:
					o.finish = e.Time
				}
			}
			continue
		}
		if e.Kind.Callback() {
			label, short := names(e.Source)
			if e.Kind == loop.KindClose {
				label, short = "close: "+label, "close: "+short
			}
			newCol(e, label, short)
			o := byID[e.ID]
			if o == nil || e.Kind != loop.KindTaskDone && e.Kind != loop.KindResponseDone {
				continue
			}
			if cur != nil {
				o.to = len(p.cols) - 1
			}
			if e.Kind == loop.KindResponseDone && !o.hasStart {
				// No response came: the loop traces the timeout's callback with the request's id.
				o.finish, o.hasStart, o.end = e.Time, true, timedOut
			}
			continue
		}
		switch e.Kind {
		case loop.KindTick:
			tick = e.Tick
		case loop.KindPoll:
			waited += e.Arg
		case loop.KindLog:
			if cur == nil && len(p.cols) == 0 {
				newCol(e, "main", "main")
			}
			if cur != nil {
				for l := range strings.SplitSeq(e.Text, "\n") {
					if len(cur.logs) == maxLogs {
						cur.more++
						continue
					}
					cur.logs = append(cur.logs, l)
				}
			}
		case loop.KindTaskQueued, loop.KindRequestSent:
			if cur == nil && len(p.cols) == 0 {
				newCol(e, "main", "main")
			}
			if p.cut > 0 || len(p.ops) == maxOps {
				p.opsCut++ // not drawn: after the last callback drawn, or beyond the bound
				continue
			}
			label, short := names(e.Source)
			o := &op{kind: e.Kind, label: label, short: short, from: len(p.cols) - 1, to: -1, start: e.Time, thread: -2}
			byID[e.ID] = o
			p.ops = append(p.ops, o)
		case loop.KindResponseReady:
			if o := byID[e.ID]; o != nil {
				o.start, o.finish, o.hasStart = e.Arg, e.Time, true
			}
		default:
			if cur == nil && len(p.cols) == 0 {
				newCol(e, "main", "main")
			}
		}
	}
	if len(events) > 0 {
		// A request with neither a response nor a timeout was still waiting when the run stopped.
		end := events[len(events)-1].Time
		for _, o := range p.ops {
			if o.kind == loop.KindRequestSent && !o.hasStart {
				o.finish, o.hasStart, o.end = end, true, hung
			}
		}
	}
	x := left
	for _, c := range p.cols {
		if c.waited > 0 {
			x += gapW
		}
		c.x = x
		x += colW
	}
	p.width = x + 20
	p.height = top + laneH*(2+p.workers) + 40
	if p.cut > 0 && p.opsCut > 0 {
		p.height += 14 // room for a second line saying what is not drawn
	}
	return p
}

// xAt maps a time to the horizontal axis: the start of the first column at or after it, or a
// point inside the wait before that column.
func (p *picture) xAt(t time.Duration) int {
	for i, c := range p.cols {
		if c.time < t {
			continue
		}
		if c.waited > 0 && i > 0 && c.time > p.cols[i-1].time {
			prev := p.cols[i-1]
			frac := float64(t-prev.time) / float64(c.time-prev.time)
			return prev.x + colW + int(frac*float64(c.x-prev.x-colW))
		}
		return c.x
	}
	if len(p.cols) == 0 {
		return left
	}
	return p.cols[len(p.cols)-1].x + colW
}

func (p *picture) laneY(t loop.Thread) int {
	switch {
	case t == loop.MainThread:
		return top
	case t >= 0:
		return top + laneH*(1+int(t))
	}
	return top + laneH*(1+p.workers) // the poller
}

var phaseColor = map[loop.Phase]string{
	loop.PhaseMain: "#e8e8e8", loop.PhaseTimers: "#ffe0b3", loop.PhasePoll: "#cfe3ff",
	loop.PhaseCheck: "#d4f5d4", loop.PhaseClose: "#ead6f5",
}

func (p *picture) svg(b *strings.Builder, standalone bool) {
	ns := "" // inline in HTML, an svg element needs no namespace: the page names no URL at all
	if standalone {
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		ns = ` xmlns="http://www.w3.org/2000/svg"`
	}
	fmt.Fprintf(b, `<svg%s width="%d" height="%d" viewBox="0 0 %d %d" font-family="DejaVu Sans, Arial, sans-serif" font-size="11" id="timeline">`+"\n",
		ns, p.width, p.height, p.width, p.height)
	fmt.Fprintf(b, `<rect width="100%%" height="100%%" fill="#fff"/>`+"\n")
	if standalone {
		fmt.Fprintf(b, `<text x="10" y="18" font-size="14" font-weight="bold">%s</text>`+"\n", esc(p.title))
	}
	p.tickBands(b)
	p.lanes(b)
	for _, o := range p.ops {
		p.operation(b, o)
	}
	for i, c := range p.cols {
		p.box(b, i, c)
	}
	y := p.height - 10
	if p.opsCut > 0 {
		fmt.Fprintf(b, `<text x="10" y="%d" fill="#a00">%d more tasks and requests are not drawn</text>`+"\n", y, p.opsCut)
		y -= 14
	}
	if p.cut > 0 {
		fmt.Fprintf(b, `<text x="10" y="%d" fill="#a00">%d more callbacks are not drawn</text>`+"\n", y, p.cut)
	}
	b.WriteString("</svg>")
}

// tickBands draws one band per iteration over the columns it ran, and the waits between them.
func (p *picture) tickBands(b *strings.Builder) {
	for i := 0; i < len(p.cols); {
		j := i
		for j < len(p.cols) && p.cols[j].tick == p.cols[i].tick {
			j++
		}
		x0, x1 := p.cols[i].x, p.cols[j-1].x+colW
		shade := "#f4f4f4"
		if p.cols[i].tick%2 == 1 {
			shade = "#fafafa"
		}
		name := "main and the timers before the loop"
		if t := p.cols[i].tick; t > 0 {
			name = fmt.Sprintf("tick %d", t)
		}
		fmt.Fprintf(b, `<g class="tick" data-tick="%d"><rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ccc"/>`,
			p.cols[i].tick, x0, top-28, x1-x0, p.height-top-12, shade)
		text(b, x0+4, top-14, x1-x0-8, false, ` fill="#555"`, name, name)
		b.WriteString("</g>\n")
		i = j
	}
	for _, c := range p.cols {
		if c.waited > 0 {
			fmt.Fprintf(b, `<g class="wait"><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999" stroke-dasharray="3,3"/><text x="%d" y="%d" fill="#777" text-anchor="middle">poll waited</text><text x="%d" y="%d" fill="#777" text-anchor="middle">%v</text></g>`+"\n",
				c.x-gapW/2, top, c.x-gapW/2, p.height-30, c.x-gapW/2, top-2, c.x-gapW/2, p.height-18, c.waited)
		}
	}
}

func (p *picture) lanes(b *strings.Builder) {
	lane := func(name, id string, y int) {
		fmt.Fprintf(b, `<g class="lane" id="lane-%s"><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ddd"/><text x="8" y="%d" font-weight="bold">%s</text></g>`+"\n",
			id, left, y+laneH-4, p.width, y+laneH-4, y+laneH/2, esc(name))
	}
	lane("main", "main", p.laneY(loop.MainThread))
	for w := range p.workers {
		name := loop.Thread(w).String()
		lane(name, name, p.laneY(loop.Thread(w)))
	}
	lane("poller", "poller", p.laneY(-2))
}

// operation draws a task on its worker's lane or a request on the poller's, and the lines from
// its submission and to its callback.
func (p *picture) operation(b *strings.Builder, o *op) {
	if !o.hasStart {
		return
	}
	y := p.laneY(o.thread) + 10
	x0, x1 := p.xAt(o.start), p.xAt(o.finish)
	x1 = max(x1, x0+8)
	class, fill, stroke := "task", "#fff3c4", "#b59b3a"
	when := fmt.Sprintf("%v to %v", o.start, o.finish)
	switch {
	case o.kind != loop.KindRequestSent:
	case o.end == timedOut:
		class, fill, stroke = "request timed-out", "#fde0dc", "#c0392b"
		when = fmt.Sprintf("sent at %v, timed out at %v", o.start, o.finish)
	case o.end == hung:
		class, fill, stroke = "request hung", "#eeeeee", "#888"
		when = fmt.Sprintf("sent at %v, still waiting when the run stopped at %v", o.start, o.finish)
	default:
		class, fill = "request", "#dff5f0"
	}
	fmt.Fprintf(b, `<g class="%s" data-label="%s"><title>%s: %s</title><rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="%s" stroke="%s"/>`,
		class, esc(o.label), esc(o.label), when, x0, y, x1-x0, boxH-30, fill, stroke)
	text(b, x0+4, y+16, x1-x0-8, false, "", o.short, o.label)
	b.WriteString("</g>\n")
	mainBottom := p.laneY(loop.MainThread) + boxH
	if o.from >= 0 {
		c := p.cols[o.from]
		fmt.Fprintf(b, `<path class="submit" d="M%d %d C%d %d %d %d %d %d" fill="none" stroke="#b59b3a" stroke-width="1.2"/>`+"\n",
			c.x+colW/2, mainBottom, c.x+colW/2, y-20, x0, y-20, x0, y)
	}
	if o.to >= 0 {
		c := p.cols[o.to]
		fmt.Fprintf(b, `<path class="complete" d="M%d %d C%d %d %d %d %d %d" fill="none" stroke="#4a7bd0" stroke-width="1.2" stroke-dasharray="4,2"/>`+"\n",
			x1, y, x1, y-20, c.x+colW/2, mainBottom+20, c.x+colW/2, mainBottom)
	}
}

// box draws a callback on the main lane, filled by its phase, with what it logged.
func (p *picture) box(b *strings.Builder, i int, c *column) {
	y := p.laneY(loop.MainThread) + 2
	fmt.Fprintf(b, `<g class="callback" data-phase="%s" data-index="%d"><title>%s at %v, tick %d, %s phase%s</title>`,
		c.phase, i, esc(c.label), c.time, c.tick, c.phase, esc(logsTitle(c)))
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" rx="5" fill="%s" stroke="#888"/>`,
		c.x+4, y, colW-8, boxH, phaseColor[c.phase])
	room := colW - 18 // the box, less a margin on each side
	text(b, c.x+9, y+14, room, true, ` font-weight="bold"`, c.short, c.label)
	fmt.Fprintf(b, `<text x="%d" y="%d" fill="#555">%v · %s</text>`, c.x+9, y+27, c.time, c.phase)
	for k, l := range c.logs {
		if k == 4 {
			fmt.Fprintf(b, `<text x="%d" y="%d" fill="#333">… %d more</text>`, c.x+9, y+41+12*k, len(c.logs)-k+c.more)
			break
		}
		text(b, c.x+9, y+41+12*k, room, false, ` class="log" fill="#000"`, l, l)
	}
	b.WriteString("</g>\n")
}

// logsTitle is what c logged, for its title: the lines kept, then how many more there were.
func logsTitle(c *column) string {
	if len(c.logs) == 0 {
		return ""
	}
	s := "\n" + strings.Join(c.logs, "\n")
	if c.more > 0 {
		s += fmt.Sprintf("\n… %d more lines", c.more)
	}
	return s
}

// names returns the name of an operation or callback in full, for its title, and short, for
// its box: a step's kind, value and line ("read notes.txt :12: open"), without its file.
func names(src loop.Source) (full, short string) {
	if src == nil {
		return "?", "?"
	}
	full = src.String()
	s := harness.SourceOf(src)
	if s == nil {
		return full, full
	}
	short = s.Kind
	if s.Value != "" {
		short += " " + s.Value
	}
	short += " :" + strconv.Itoa(s.Pos.Line)
	if s.Part != "" {
		short += ": " + s.Part
	}
	if _, ok := src.(*loop.TimeoutOf); ok {
		short = "timeout of " + short
	}
	return full, short
}

// text writes s at x, y, cut with an ellipsis to px pixels. A text that is cut holds whole, its
// title, shown on hover. attrs are the element's other attributes; bold says whether they make
// it bold.
func text(b *strings.Builder, x, y, px int, bold bool, attrs, s, whole string) {
	cut := fit(s, px, bold)
	if cut == "" {
		return
	}
	fmt.Fprintf(b, `<text%s x="%d" y="%d">`, attrs, x, y)
	if cut != s {
		fmt.Fprintf(b, `<title>%s</title>`, esc(whole))
	}
	b.WriteString(esc(cut))
	b.WriteString("</text>")
}

// fontSize is the size of the text in boxes and spans, in pixels.
const fontSize = 11

// fit cuts s with an ellipsis to what fits in px pixels of text, bold or not; it returns "" when
// not even the ellipsis fits.
func fit(s string, px int, bold bool) string {
	room := px * 1000 / fontSize // in thousandths of an em
	w := 0
	for i, r := range s {
		if w += advance(r, bold); w <= room {
			continue
		}
		// s does not fit: keep what fits beside the ellipsis.
		w, cut := advance('…', bold), 0
		if w > room {
			return ""
		}
		for j, r := range s[:i] {
			if w += advance(r, bold); w > room {
				break
			}
			cut = j + utf8.RuneLen(r)
		}
		return strings.TrimRight(s[:cut], " ") + "…"
	}
	return s
}

// advance is the width of r in thousandths of an em, in DejaVu Sans, the first font the picture
// asks for (Arial and the usual sans-serif fonts are narrower); a rune beyond ASCII counts as a
// full em, as the ellipsis is.
func advance(r rune, bold bool) int {
	if r < ' ' || r > '~' {
		return 1000
	}
	if bold {
		return int(boldAdvance[r-' '])
	}
	return int(regularAdvance[r-' '])
}

// The advances of printable ASCII, from space to ~, in DejaVu Sans and DejaVu Sans Bold.
var (
	regularAdvance = [95]uint16{
		318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337,
		636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531,
		1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,
		603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,
		500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
		635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
	}
	boldAdvance = [95]uint16{
		348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365,
		696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580,
		1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850,
		733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500,
		500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687,
		716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
	}
)

func esc(s string) string { return html.EscapeString(s) }
