package timeline_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"html"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
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

// An iteration's name is cut to its band, which is one column wide when the iteration ran one
// callback.
func TestIterationNameIsCut(t *testing.T) {
	svg := svgOf(t, runEvents(t, `
main:
  - log: main
  - timeout: 10
    then: [{log: timeout}]
`, harness.Limits{}))
	want := `<text fill="#555" x="94" y="46"><title>main and the timers before the loop</title>main and the timers before…</text>`
	if !strings.Contains(svg, want) {
		t.Errorf("the SVG lacks %s", want)
	}
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

// browser writes page to a file and returns a function that opens it in headless Chromium with
// the given flags and returns what Chromium printed. It skips the test when there is no Chromium.
func browser(t *testing.T, page []byte) func(args ...string) []byte {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("no chromium on PATH (apt-get install chromium); .ci/run installs it")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "page.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	return func(args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + filepath.Join(dir, "profile"), "--hide-scrollbars"}
		cmd := exec.CommandContext(ctx, chromium, append(append(base, args...), "file://"+file)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("chromium: %v\n%s", err, stderr.Bytes())
		}
		return out
	}
}

// TestHTMLInBrowser renders the seed scenario's page in headless Chromium and checks that the
// browser's DOM has the lanes, the callback boxes with what they logged, the tasks on the pool
// lanes and the request on the poller's. With -update it also refreshes the screenshot the
// README shows, docs/timeline.png.
func TestHTMLInBrowser(t *testing.T) {
	var b bytes.Buffer
	if err := timeline.WriteHTML(&b, seedEvents(t), "node-experiment"); err != nil {
		t.Fatal(err)
	}
	browse := browser(t, b.Bytes())
	dom := string(browse("--dump-dom"))
	for _, want := range []string{
		`id="lane-main"`, `id="lane-pool0"`, `id="lane-pool1"`, `id="lane-poller"`,
		`class="callback" data-phase="poll"`, `class="callback" data-phase="timers"`, `class="callback" data-phase="main"`,
		`class="task" data-label="read test.txt (../../scenarios/node-experiment.yaml:32:5): cost"`,
		`class="task" data-label="read test.txt (../../scenarios/node-experiment.yaml:32:5): open"`,
		`class="task" data-label="read test.txt (../../scenarios/node-experiment.yaml:32:5)"`,
		`class="task" data-label="encrypt 39 (../../scenarios/node-experiment.yaml:38:9)"`,
		`class="request" data-label="http /google.com (../../scenarios/node-experiment.yaml:78:5)"`,
		`class="submit"`, `class="complete"`, `data-iteration="6"`, ">loop iteration 6<",
		">SETTIMEOUT<", ">First count: 39 characters.<", "<title>500ms timer(nested) timed out</title>500ms timer(nested) tim…<",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %s", want)
		}
	}
	if strings.Contains(dom, "tick") {
		t.Errorf("the page says tick, which a Node.js user reads as nextTick, for a loop iteration")
	}
	// main, two 0 ms timers, three reads of five pool requests each (the cost, then open, fstat,
	// read and close), the encrypt, SETTIMEOUT, the response, and the 3000 and 500 ms timers.
	if got := strings.Count(dom, `class="callback"`); got != 23 {
		t.Errorf("%d callback boxes, want 23: main, two 0 ms timers, three reads of five pool requests, the encrypt, SETTIMEOUT, the response, and the 3000 and 500 ms timers", got)
	}
	if lttest.Update() {
		shot := filepath.Join(t.TempDir(), "shot.png")
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
		`<g class="request timed-out" data-label="http /hang (t.yaml:3:5)"><title>http /hang (t.yaml:3:5): sent at 3ms, timed out at 254ms</title>`,
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
	want := `<g class="request hung" data-label="http /slow (t.yaml:3:5)"><title>http /slow (t.yaml:3:5): sent at 3ms, still waiting when the run stopped at `
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

// longText is a scenario whose names and logs are too long for their boxes: wide capitals,
// narrow letters, text beyond ASCII, tasks whose spans are narrow, and a request whose path is
// longer than its span.
const longText = `
files:
  a-file-with-a-name-far-too-long-for-any-box-WWWWWWWWWWWW.txt: x
main:
  - log: WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW
  - log: iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii
  - log: "日本語のテキストはこの箱に収まらないほど長いです。本当に長いです。"
  - log: short
  - read: a-file-with-a-name-far-too-long-for-any-box-WWWWWWWWWWWW.txt
    cost: 0ms
    then:
      - timeout: 0
        then: [{log: "MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM"}]
  - http: /a/path/far/too/long/for/the/span/abcdefghijklmnopqrstuvwxyz/abcdefghijklmnopqrstuvwxyz/abcdefghijklmnopqrstuvwxyz/abcdefghijklmnopqrstuvwxyz/abcdefghijklmnopqrstuvwxyz/abcdefghijklmnopqrstuvwxyz/abcdefghijklmnopqrstuvwxyz/abcdefghijklmnopqrstuvwxyz/of/its/request/WWWWWWWWWWWWWW
    delay: 0ms
`

// Text that does not fit a callback box or a span is cut with an ellipsis, and holds the whole
// text as its title, shown on hover; text that fits is left whole.
func TestLongTextIsCut(t *testing.T) {
	svg := svgOf(t, runEvents(t, longText, harness.Limits{}))
	texts := regexp.MustCompile(`<text[^>]*>(?:<title>([^<]*)</title>)?([^<]*)</text>`).FindAllStringSubmatch(svg, -1)
	cut := 0
	for _, m := range texts {
		whole, shown := html.UnescapeString(m[1]), html.UnescapeString(m[2])
		switch {
		case strings.HasSuffix(shown, "…"):
			cut++
			if whole == "" || !strings.HasPrefix(whole, strings.TrimSuffix(shown, "…")) && !strings.Contains(whole, "(t.yaml:") {
				t.Errorf("%q is cut but its title is %q", shown, whole)
			}
		case whole != "":
			t.Errorf("%q is whole but has the title %q", shown, whole)
		}
		if strings.Contains(shown, "WWWWWWWWWWWWWWWWWWWWWWWW") || strings.Contains(shown, "iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii") ||
			strings.Contains(shown, "本当に") || strings.Contains(shown, "MMMMMMMMMMMMMMMMMMMMMMMMMM") || strings.Contains(shown, "far-too-long-for-any-box") ||
			strings.Contains(shown, "of/its/request") {
			t.Errorf("%q is drawn whole: it does not fit", shown)
		}
	}
	if cut < 5 {
		t.Errorf("%d texts cut, want at least 5:\n%s", cut, svg)
	}
	if !strings.Contains(svg, ">short</text>") {
		t.Errorf("a short log is not drawn whole:\n%s", svg)
	}
}

// TestLongTextFitsInBrowser measures, in Chromium, every text of the callback boxes and of the
// spans against its box.
func TestLongTextFitsInBrowser(t *testing.T) {
	var b bytes.Buffer
	if err := timeline.WriteHTML(&b, runEvents(t, longText, harness.Limits{}), "long text"); err != nil {
		t.Fatal(err)
	}
	// The page has no script of its own: add one that lists each text wider than its box.
	page := strings.Replace(b.String(), "</body>", `<pre id="overflow"></pre><script>
const out = [];
for (const g of document.querySelectorAll("g.callback, g.task, g.request")) {
  const box = g.querySelector("rect").getBBox();
  for (const text of g.querySelectorAll("text")) {
    const r = text.getBBox();
    if (r.x < box.x || r.x + r.width > box.x + box.width) {
      out.push(text.lastChild.nodeValue + " is " + r.width.toFixed(1) + " px wide, its box " + box.width.toFixed(1));
    }
  }
}
document.getElementById("overflow").textContent = out.length ? out.join("\n") : "none";
</script></body>`, 1)
	dom := string(browser(t, []byte(page))("--dump-dom"))
	m := regexp.MustCompile(`(?s)<pre id="overflow">(.*?)</pre>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the script did not run:\n%s", dom)
	}
	if m[1] != "none" {
		t.Errorf("texts wider than their boxes:\n%s", html.UnescapeString(m[1]))
	}
}

// A long run is drawn up to a bound, so that the page stays of reasonable size; the header still
// counts every callback, and says how many are drawn. Work submitted after the cut is not drawn.
func TestLongRunIsCut(t *testing.T) {
	events := runEvents(t, `
main:
  - timeout: 0
    repeat: 3000
    then:
      - encrypt: 1
`, harness.Limits{})
	var b bytes.Buffer
	if err := timeline.WriteHTML(&b, events, "long"); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	// main, 3000 timers and 3000 encrypt callbacks.
	if want := "<p>6001 callbacks on the main thread (the first 2000 drawn), 4 pool workers."; !strings.Contains(page, want) {
		t.Errorf("the header lacks %q:\n%s", want, page[:min(len(page), 800)])
	}
	if got := strings.Count(page, `<g class="callback"`); got != 2000 {
		t.Errorf("%d callbacks drawn, want 2000", got)
	}
	if got := strings.Count(page, `<g class="task"`); got > 2000 {
		t.Errorf("%d tasks drawn, want at most 2000: work submitted after the cut is drawn", got)
	}
	if len(page) > 4<<20 {
		t.Errorf("the page takes %d bytes", len(page))
	}
	b.Reset()
	if err := timeline.WriteSVG(&b, events, "long"); err != nil {
		t.Fatal(err)
	}
	if want := ">4001 more callbacks are not drawn<"; !strings.Contains(b.String(), want) {
		t.Errorf("the SVG lacks %q", want)
	}
}

// One callback can submit or log without bound: what is drawn of it is bounded too.
func TestLongCallbackIsCut(t *testing.T) {
	svg := svgOf(t, runEvents(t, `
main:
  - encrypt: 1
    repeat: 3000
  - log: a line
    repeat: 3000
`, harness.Limits{}))
	if got := strings.Count(svg, `<g class="task"`); got != 2000 {
		t.Errorf("%d tasks drawn, want 2000", got)
	}
	if got := strings.Count(svg, "a line"); got > 200 {
		t.Errorf("%d logged lines drawn or in titles, want at most 200", got)
	}
	for _, want := range []string{">1000 more tasks and requests are not drawn<", "… 2900 more lines"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the SVG lacks %q", want)
		}
	}
}

// concurrent is a scenario with work at once on every side: two requests at once, the slower
// sent first, and a third sent once the faster was answered; a read whose pool requests take no
// time, one after another on one worker; and a pool of four workers of which one runs tasks.
const concurrent = `
files: {a.txt: hello}
main:
  - http: /slow
    delay: 300ms
    then: [{log: slow answered}]
  - http: /fast
    delay: 50ms
    then:
      - log: fast answered
      - http: /after
        delay: 60ms
        then: [{log: after answered}]
  - read: a.txt
    then: [{log: read done}]
  - timeout: 100
    then: [{log: timer}]
`

// A box is a task's or a request's rectangle in the SVG.
type box struct {
	label          string
	x0, x1, y0, y1 int
}

var (
	boxRE  = regexp.MustCompile(`<g class="(?:task|request)[^"]*" data-label="([^"]*)"><title>[^<]*</title><rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"`)
	laneRE = regexp.MustCompile(`<g class="lane" id="lane-([^"]*)"><line x1="\d+" y1="(\d+)"`)
)

// boxesAndLanes returns the boxes of tasks and requests in svg, and each lane's id with the y of
// its top.
func boxesAndLanes(t *testing.T, svg string) ([]box, map[string]int) {
	t.Helper()
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	var boxes []box
	for _, m := range boxRE.FindAllStringSubmatch(svg, -1) {
		x, y := atoi(m[2]), atoi(m[3])
		boxes = append(boxes, box{html.UnescapeString(m[1]), x, x + atoi(m[4]), y, y + atoi(m[5])})
	}
	lanes := map[string]int{}
	for _, m := range laneRE.FindAllStringSubmatch(svg, -1) {
		lanes[m[1]] = atoi(m[2]) + 4 - laneH
	}
	return boxes, lanes
}

// laneH is the timeline's lane height, which the lanes' lines are drawn by.
const laneH = 96

// TestConcurrentWorkHasItsOwnLane checks the lanes: boxes that overlap never share one (two
// requests at once are both seen, the slower one not hidden under the faster), the tasks of a
// worker follow one another in its lane, and no lane is empty.
func TestConcurrentWorkHasItsOwnLane(t *testing.T) {
	for name, src := range map[string]string{"concurrent": concurrent, "long text": longText} {
		svg := svgOf(t, runEvents(t, src, harness.Limits{}))
		boxes, lanes := boxesAndLanes(t, svg)
		for i, a := range boxes {
			for _, b := range boxes[i+1:] {
				if a.y0 == b.y0 && a.x0 < b.x1 && b.x0 < a.x1 {
					t.Errorf("%s: %s (x %d to %d) and %s (x %d to %d) overlap in one lane", name, a.label, a.x0, a.x1, b.label, b.x0, b.x1)
				}
			}
		}
		for id, y := range lanes {
			if id == "main" {
				continue
			}
			if !slices.ContainsFunc(boxes, func(b box) bool { return b.y0 >= y && b.y0 < y+laneH }) {
				t.Errorf("%s: lane %s is empty", name, id)
			}
		}
	}
	svg := svgOf(t, runEvents(t, concurrent, harness.Limits{}))
	boxes, lanes := boxesAndLanes(t, svg)
	ids := slices.SortedFunc(maps.Keys(lanes), func(a, b string) int { return lanes[a] - lanes[b] })
	if want := []string{"main", "pool0", "poller", "poller-2"}; !slices.Equal(ids, want) {
		t.Errorf("lanes %v from top to bottom, want %v: one worker ran tasks, and two requests were waiting at once", ids, want)
	}
	laneOf := map[string]int{}
	for _, b := range boxes {
		laneOf[strings.Fields(b.label)[1]] = b.y0
	}
	if laneOf["/slow"] == laneOf["/fast"] {
		t.Errorf("/slow and /fast, waiting at once, share a lane")
	}
	if laneOf["/after"] != laneOf["/fast"] {
		t.Errorf("/after, sent once /fast was answered, is not in the lane /fast left free")
	}
	if strings.Count(svg, ">poller</text>") != 1 {
		t.Errorf("the poller's lanes are not named once")
	}
	_, lanes = boxesAndLanes(t, svgOf(t, runEvents(t, "main:\n  - timeout: 5\n    then: [{log: fired}]\n", harness.Limits{})))
	if ids := slices.Collect(maps.Keys(lanes)); !slices.Equal(ids, []string{"main"}) {
		t.Errorf("a run of timers alone has the lanes %v, want main alone", ids)
	}
}

// TestLanesInBrowser renders the concurrent scenario in Chromium and checks, in the browser's
// layout, that no two boxes of tasks or requests overlap and that every lane but main's holds one.
func TestLanesInBrowser(t *testing.T) {
	var b bytes.Buffer
	if err := timeline.WriteHTML(&b, runEvents(t, concurrent, harness.Limits{}), "concurrent"); err != nil {
		t.Fatal(err)
	}
	page := strings.Replace(b.String(), "</body>", `<pre id="faults"></pre><script>
const out = [];
const boxes = [...document.querySelectorAll("g.task, g.request")].map(g => [g.dataset.label, g.querySelector("rect").getBBox()]);
for (let i = 0; i < boxes.length; i++) {
  for (let j = i + 1; j < boxes.length; j++) {
    const [a, r] = boxes[i], [b, s] = boxes[j];
    if (r.x < s.x + s.width && s.x < r.x + r.width && r.y < s.y + s.height && s.y < r.y + r.height) {
      out.push(a + " overlaps " + b);
    }
  }
}
for (const lane of document.querySelectorAll("g.lane")) {
  if (lane.id === "lane-main") continue;
  const bottom = lane.querySelector("line").getBBox().y;
  if (!boxes.some(([, r]) => r.y < bottom && r.y > bottom - `+strconv.Itoa(laneH)+`)) out.push(lane.id + " is empty");
}
document.getElementById("faults").textContent = out.length ? out.join("\n") : "none";
</script></body>`, 1)
	dom := string(browser(t, []byte(page))("--dump-dom"))
	m := regexp.MustCompile(`(?s)<pre id="faults">(.*?)</pre>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the script did not run:\n%s", dom)
	}
	if m[1] != "none" {
		t.Errorf("in Chromium:\n%s", html.UnescapeString(m[1]))
	}
	for _, want := range []string{`id="lane-poller"`, `id="lane-poller-2"`, `id="lane-pool0"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %s", want)
		}
	}
	for _, absent := range []string{`id="lane-pool1"`, `id="lane-poller-3"`} {
		if strings.Contains(dom, absent) {
			t.Errorf("the rendered page has an empty lane: %s", absent)
		}
	}
}
