package timeline

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"

	"github.com/looptest/looptest/loop"
)

// Drawing a laid-out picture as SVG: bands, lanes, boxes and text cut to fit.

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
	p.iterationBands(b)
	p.drawLanes(b)
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

// iterationBands draws one band per iteration of the loop over the columns it ran, and the waits
// between them. An iteration is not called a tick: a Node.js user reads tick as nextTick.
func (p *picture) iterationBands(b *strings.Builder) {
	for i := 0; i < len(p.cols); {
		j := i
		for j < len(p.cols) && p.cols[j].iter == p.cols[i].iter {
			j++
		}
		x0, x1 := p.cols[i].x, p.cols[j-1].x+colW
		shade := "#f4f4f4"
		if p.cols[i].iter%2 == 1 {
			shade = "#fafafa"
		}
		name := "main and the timers before the loop"
		if n := p.cols[i].iter; n > 0 {
			name = fmt.Sprintf("loop iteration %d", n)
		}
		fmt.Fprintf(b, `<g class="iteration" data-iteration="%d"><rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ccc"/>`,
			p.cols[i].iter, x0, top-28, x1-x0, p.height-top-12, shade)
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

// drawLanes draws each lane's name and the line below it; the poller's name once, beside the
// middle of its lanes.
func (p *picture) drawLanes(b *strings.Builder) {
	for _, l := range p.lanes {
		fmt.Fprintf(b, `<g class="lane" id="lane-%s"><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ddd"/>`,
			l.id, left, l.y+laneH-4, p.width, l.y+laneH-4)
		if l.name != "" {
			fmt.Fprintf(b, `<text x="8" y="%d" font-weight="bold">%s</text>`, l.y+l.span*laneH/2, esc(l.name))
		}
		b.WriteString("</g>\n")
	}
}

// operation draws a task on its worker's lane or a request on the poller's, and the lines from
// its submission and to its callback.
func (p *picture) operation(b *strings.Builder, o *op) {
	if o.lane < 0 {
		return
	}
	y := p.lanes[o.lane].y + 10
	x0, x1 := o.x0, o.x1
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
	mainBottom := p.lanes[0].y + boxH
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
	y := p.lanes[0].y + 2
	fmt.Fprintf(b, `<g class="callback" data-phase="%s" data-index="%d"><title>%s at %v, %s, %s phase%s</title>`,
		c.phase, i, esc(c.label), c.time, iterationName(c.iter), c.phase, esc(logsTitle(c)))
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

// iterationName names the loop iteration n for a callback's title.
func iterationName(n int) string {
	if n == 0 {
		return "before the loop"
	}
	return fmt.Sprintf("loop iteration %d", n)
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
