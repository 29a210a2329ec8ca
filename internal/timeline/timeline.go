// Package timeline draws a run of the loop as a picture: a lane for the loop's main thread, one
// for each pool worker that ran a task, and as many for the poller as requests were waiting at
// once; the loop's iterations as bands, each callback as a box named by its step and holding what
// it logged, and a line from each submission to its completion.
//
// Under the virtual clock callbacks take no time, so the horizontal axis is not a time scale:
// each callback has a column of its own, in the order callbacks ran, and where the loop waited
// the axis shows how long. Work on other threads spans the columns between its start and its end,
// never before the callback that submitted it; boxes that overlap never share a lane. The
// picture is self-contained SVG, alone or in an HTML page: no script, no network.
package timeline

import (
	"fmt"
	"html"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/words"
	"github.com/looptest/looptest/loop"
)

// Geometry, in SVG pixels.
const (
	colW  = 170 // a callback's column
	gapW  = 70  // a wait between columns
	left  = 90  // room for lane names
	top   = 60  // room for the title and the iterations' band
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
	iter   int // the loop iteration, 0 for main and the timers before the loop
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
	startSeq      int // the index of its start among the events, which orders a worker's tasks
	x0, x1        int // its span, once placed
	lane          int // the lane it is drawn in, once placed; -1 when it is not drawn
}

// A lane is a row of the picture: the main thread's, a pool worker's, or one of the poller's.
type lane struct {
	name string // drawn at its left; "" for the poller's lanes after the first
	id   string // the id of its element: lane-ID
	y    int
	span int // how many lanes its name is drawn beside: the poller's name stands by all its lanes
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
	lanes   []lane // main first, then the workers', then the poller's
	workers int    // the pool workers that ran a task drawn
	cut     int    // callbacks left out
	opsCut  int    // tasks and requests left out
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
	iter := 0
	var waited time.Duration
	newCol := func(e loop.Event, label, short string) {
		if len(p.cols) >= maxCols {
			cur = nil
			p.cut++
			return
		}
		cur = &column{time: e.Time, iter: iter, phase: e.Phase, label: label, short: short, kind: e.Kind, waited: waited}
		waited = 0
		p.cols = append(p.cols, cur)
	}
	for i, e := range events {
		if e.Thread != loop.MainThread {
			if o := byID[e.ID]; o != nil {
				o.thread = e.Thread
				switch e.Kind {
				case loop.KindTaskStarted:
					o.start, o.hasStart, o.startSeq = e.Time, true, i
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
			iter = e.Tick
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
	p.place()
	p.height = top + laneH*len(p.lanes) + 40
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

// minSpan is the narrowest span of a task or request: one that took no time.
const minSpan = 8

// place gives each operation its span and its lane, and makes the lanes: main's; one per pool
// worker that ran a task, in the workers' order; and as many for requests as were drawn over one
// another at once, each request in the first that is free where it starts. A span starts no
// earlier than the middle of the callback that submitted it (it began after that callback did),
// and a worker's task no earlier than where the worker's previous task ended, since a worker runs
// one task at a time: so a worker's tasks never overlap, even those that took no time, which the
// columns alone would draw at one place.
func (p *picture) place() {
	p.lanes = []lane{{name: "main", id: "main", y: top, span: 1}}
	workerEnd := map[loop.Thread]int{}
	var tasks, requests []*op
	for _, o := range p.ops {
		o.lane = -1
		if !o.hasStart {
			continue
		}
		o.x0 = p.xAt(o.start)
		if o.from >= 0 {
			o.x0 = max(o.x0, p.cols[o.from].x+colW/2)
		}
		o.x1 = max(p.xAt(o.finish), o.x0+minSpan)
		if o.kind == loop.KindRequestSent {
			requests = append(requests, o)
		} else {
			tasks = append(tasks, o)
			workerEnd[o.thread] = 0
		}
	}
	workers := slices.Sorted(maps.Keys(workerEnd))
	p.workers = len(workers)
	laneOf := map[loop.Thread]int{}
	for _, w := range workers {
		laneOf[w] = len(p.lanes)
		p.lanes = append(p.lanes, lane{name: w.String(), id: w.String(), y: top + laneH*len(p.lanes), span: 1})
	}
	slices.SortStableFunc(tasks, func(a, b *op) int { return a.startSeq - b.startSeq })
	for _, o := range tasks {
		if end := workerEnd[o.thread]; o.x0 < end {
			o.x1 += end - o.x0
			o.x0 = end
		}
		workerEnd[o.thread] = o.x1
		o.lane = laneOf[o.thread]
	}
	slices.SortStableFunc(requests, func(a, b *op) int { return a.x0 - b.x0 })
	var ends []int // where the last request of each of the poller's lanes ends
	first := len(p.lanes)
	for _, o := range requests {
		k := slices.IndexFunc(ends, func(end int) bool { return end <= o.x0 })
		if k < 0 {
			k = len(ends)
			ends = append(ends, 0)
			name, id := "poller", "poller"
			if k > 0 {
				name, id = "", fmt.Sprintf("poller-%d", k+1)
			}
			p.lanes = append(p.lanes, lane{name: name, id: id, y: top + laneH*len(p.lanes)})
		}
		ends[k] = o.x1
		o.lane = first + k
	}
	if len(ends) > 0 {
		p.lanes[first].span = len(ends)
	}
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
