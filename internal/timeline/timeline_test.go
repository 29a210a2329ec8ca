package timeline_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/lttest"
	"github.com/looptest/looptest/internal/timeline"
	"github.com/looptest/looptest/loop"
)

// seedEvents runs the seed scenario and returns its trace.
func seedEvents(t *testing.T) []loop.Event {
	t.Helper()
	s, err := harness.Load("../../scenarios/node-experiment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rec loop.Recorder
	if err := s.Run(harness.RunOptions{Recorder: &rec}); err != nil {
		t.Fatal(err)
	}
	return rec.Events()
}

func TestSVGIsWellFormed(t *testing.T) {
	var b bytes.Buffer
	if err := timeline.WriteSVG(&b, seedEvents(t), `seed <"&">`); err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(&b)
	for {
		_, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("the SVG is not well-formed XML: %v", err)
			}
			break
		}
	}
}

// TestHTMLInBrowser renders the seed scenario's page in headless Chromium and checks that the
// browser's DOM has the lanes, the callback boxes with what they logged, the tasks on the pool
// lanes and the request on the poller's. With -update it also refreshes the screenshot the
// README shows, docs/timeline.png.
func TestHTMLInBrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("no chromium on PATH (apt-get install chromium); .ci/run installs it")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "seed.html")
	var b bytes.Buffer
	if err := timeline.WriteHTML(&b, seedEvents(t), "node-experiment"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	browse := func(args ...string) []byte {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + filepath.Join(dir, "profile"), "--hide-scrollbars"}
		cmd := exec.CommandContext(ctx, chromium, append(append(base, args...), "file://"+page)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("chromium: %v\n%s", err, stderr.Bytes())
		}
		return out
	}
	dom := string(browse("--dump-dom"))
	for _, want := range []string{
		`id="lane-main"`, `id="lane-pool0"`, `id="lane-pool1"`, `id="lane-poller"`,
		`class="callback" data-phase="poll"`, `class="callback" data-phase="timers"`, `class="callback" data-phase="main"`,
		`class="task" data-label="read test.txt (../../scenarios/node-experiment.yaml:32:5): cost"`,
		`class="task" data-label="read test.txt (../../scenarios/node-experiment.yaml:32:5): open"`,
		`class="task" data-label="read test.txt (../../scenarios/node-experiment.yaml:32:5)"`,
		`class="task" data-label="encrypt 39 (../../scenarios/node-experiment.yaml:38:9)"`,
		`class="request" data-label="http /google.com (../../scenarios/node-experiment.yaml:78:5)"`,
		`class="submit"`, `class="complete"`, `data-tick="6"`,
		">SETTIMEOUT<", ">First count: 39 characters.<", ">500ms timer(nested) timed …<",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %s", want)
		}
	}
	// main, two 0 ms timers, three reads of five pool requests each (the cost, then open, fstat,
	// read and close), the encrypt, SETTIMEOUT, the response, and the 3000 and 500 ms timers.
	if got := strings.Count(dom, `class="callback"`); got != 23 {
		t.Errorf("%d callback boxes, want 23: main, two 0 ms timers, three reads of five pool requests, the encrypt, SETTIMEOUT, the response, and the 3000 and 500 ms timers", got)
	}
	if lttest.Update() {
		shot := filepath.Join(dir, "shot.png")
		browse("--window-size=2600,660", "--screenshot="+shot)
		png, err := os.ReadFile(shot)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("../../docs/timeline.png", png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runEvents runs a scenario given as text and returns its trace; a run stopped by a limit is
// drawn like any other.
func runEvents(t *testing.T, yaml string, limits harness.Limits) []loop.Event {
	t.Helper()
	s, err := harness.Parse("t.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	var rec loop.Recorder
	err = s.Run(harness.RunOptions{Recorder: &rec, Limits: limits})
	var limit *harness.LimitError
	if err != nil && !errors.As(err, &limit) {
		t.Fatal(err)
	}
	return rec.Events()
}

func svgOf(t *testing.T, events []loop.Event) string {
	t.Helper()
	var b bytes.Buffer
	if err := timeline.WriteSVG(&b, events, "t"); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A request that timed out never gets a response: its span ends with its timeout's callback.
// One still waiting when the run stopped ends at the end of the run.
func TestTimedOutAndHungRequestsAreDrawn(t *testing.T) {
	timedOut := svgOf(t, runEvents(t, `
main:
  - http: /hang
    timeout: 250ms
    respond: {fault: hang}
    error: [{log: "hang: ${error}"}]
`, harness.Limits{}))
	for _, want := range []string{
		`<g class="request timed-out" data-label="http /hang (t.yaml:3:5)"><title>http /hang (t.yaml:3:5): sent at 0s, timed out at 250ms</title>`,
		`class="complete"`,
	} {
		if !strings.Contains(timedOut, want) {
			t.Errorf("the timed-out request's drawing lacks %s", want)
		}
	}
	hung := svgOf(t, runEvents(t, `
main:
  - http: /slow
    delay: 10s
  - timeout: 1s
  - timeout: 2s
`, harness.Limits{MaxTime: 1500 * time.Millisecond}))
	want := `<g class="request hung" data-label="http /slow (t.yaml:3:5)"><title>http /slow (t.yaml:3:5): sent at 0s, still waiting when the run stopped at `
	if !strings.Contains(hung, want) {
		t.Errorf("the hung request's drawing lacks %s\n%s", want, hung)
	}
}

// A step whose value has ${...} names its tasks and requests with the value as rendered for each
// run, so that the runs of one step are told apart; a static value is named as written.
func TestLabelsCarryRenderedValues(t *testing.T) {
	svg := svgOf(t, runEvents(t, `
files:
  notes-0.txt: a
  notes-1.txt: bb
main:
  - read: notes-${i}.txt
    repeat: 2
    as: text
    then:
      - encrypt: ${text.len}
      - http: /p${text.len}
  - read: notes-$${i}.txt
    error: []
  - encrypt: 3
  - http: /static
`, harness.Limits{}))
	for _, want := range []string{
		`class="task" data-label="read notes-0.txt (t.yaml:6:5): open"`,
		`class="task" data-label="read notes-1.txt (t.yaml:6:5)"`,
		`class="task" data-label="encrypt 2 (t.yaml:10:9)"`,
		`class="request" data-label="http /p1 (t.yaml:11:9)"`,
		`class="task" data-label="read notes-$${i}.txt (t.yaml:12:5): open"`,
		`class="task" data-label="encrypt 3 (t.yaml:14:5)"`,
		`class="request" data-label="http /static (t.yaml:15:5)"`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the drawing lacks %s", want)
		}
	}
	if strings.Contains(svg, "notes-${i}.txt") || strings.Contains(svg, "${text.len}") {
		t.Errorf("a label holds a reference, not its value:\n%s", svg)
	}
}
