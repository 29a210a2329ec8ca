package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// At a terminal, commands that may take long (test, explore, compat) keep a progress line on
// stderr, and test colours its words. Neither is ever written to a pipe or a file: what is
// piped stays the same from run to run.

// progressDelay is how long a command runs before its progress line shows: a short run never
// shows one. progressEvery is how often the line is redrawn.
const (
	progressDelay = time.Second
	progressEvery = 200 * time.Millisecond
	progressWidth = 79 // the line is cut to this many characters, so that it never wraps
)

// A progress keeps one line at the bottom of a terminal, redrawn from status. Its methods do
// nothing on a nil progress, the one of a command whose stderr is not a terminal.
type progress struct {
	w      io.Writer
	status func() string
	mu     sync.Mutex
	shown  bool   // the line is drawn
	last   string // the line drawn
	ready  bool   // progressDelay has passed
	quit   chan struct{}
	done   chan struct{}
}

// startProgress starts the progress line of a command, or returns nil when stderr is not a
// terminal. status is called from another goroutine.
func (c *cli) startProgress(status func() string) *progress {
	if !c.ttyErr {
		return nil
	}
	p := &progress{w: c.stderr, status: status, quit: make(chan struct{}), done: make(chan struct{})}
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer close(p.done)
	select {
	case <-time.After(progressDelay):
	case <-p.quit:
		return
	}
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	for {
		p.mu.Lock()
		p.ready = true
		p.draw()
		p.mu.Unlock()
		select {
		case <-t.C:
		case <-p.quit:
			return
		}
	}
}

// draw writes the line over the one drawn before; mu is held.
func (p *progress) draw() {
	line := p.status()
	if utf8.RuneCountInString(line) > progressWidth {
		line = string([]rune(line)[:progressWidth-1]) + "…"
	}
	if p.shown && line == p.last {
		return
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
	p.shown, p.last = true, line
}

func (p *progress) clear() {
	if p.shown {
		io.WriteString(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// print calls f, which writes to the terminal, with the line out of its way.
func (p *progress) print(f func()) {
	if p == nil {
		f()
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	f()
	if p.ready {
		p.draw()
	}
}

// stop removes the line for good.
func (p *progress) stop() {
	if p == nil {
		return
	}
	close(p.quit)
	<-p.done
	p.mu.Lock()
	p.clear()
	p.mu.Unlock()
}

// A progressWriter writes to w with p's line out of the way.
type progressWriter struct {
	p *progress
	w io.Writer
}

func (pw progressWriter) Write(b []byte) (n int, err error) {
	pw.p.print(func() { n, err = pw.w.Write(b) })
	return n, err
}

// since says how long ago start was, in whole seconds.
func since(start time.Time) string {
	return fmt.Sprintf("%ds", int(time.Since(start).Seconds()))
}

// colourOn reports whether output to w may be coloured: w is a terminal, NO_COLOR is unset
// or empty (no-color.org), and TERM is not dumb.
func colourOn(w io.Writer) bool {
	return os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb" && isTerminal(w)
}

// ANSI colours for test's words and diffs.
const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	reset  = "\x1b[0m"
)

// paint colours s when on.
func paint(on bool, colour, s string) string {
	if !on || s == "" {
		return s
	}
	return colour + s + reset
}

// paintDiff colours the removed (-) and added (+) lines of an indented diff.
func paintDiff(on bool, s string) string {
	if !on {
		return s
	}
	var b strings.Builder
	for line := range strings.Lines(s) {
		body := strings.TrimLeft(line, " ")
		switch {
		case strings.HasPrefix(body, "---") || strings.HasPrefix(body, "+++"):
			b.WriteString(line)
		case strings.HasPrefix(body, "-"):
			b.WriteString(paint(true, red, strings.TrimSuffix(line, "\n")) + "\n")
		case strings.HasPrefix(body, "+"):
			b.WriteString(paint(true, green, strings.TrimSuffix(line, "\n")) + "\n")
		default:
			b.WriteString(line)
		}
	}
	return b.String()
}
