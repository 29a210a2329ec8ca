package explore

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/looptest/looptest/harness"
	_ "github.com/looptest/looptest/internal/lttest" // every test binary understands -update
)

func explore(t *testing.T, file string, opts Options) *Report {
	t.Helper()
	s, err := harness.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Explore(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// race finds the race between the callbacks whose first log lines are a and b.
func race(r *Report, a, b string) *Race {
	for _, race := range r.Races {
		x, y := race.First.Lines[0], race.Second.Lines[0]
		if x == a && y == b || x == b && y == a {
			return race
		}
	}
	return nil
}

func decidedAt(race *Race, lines ...int) bool {
	for _, l := range lines {
		if !slices.ContainsFunc(race.DecidedBy, func(d Decider) bool { return d.Pos.Line == l }) {
			return false
		}
	}
	return true
}

// TestSeedRaces checks that the explorer finds the races that made the seed program's own output
// vary from run to run, and the steps whose timings decide them.
func TestSeedRaces(t *testing.T) {
	r := explore(t, "../../scenarios/node-experiment.yaml", Options{Seed: 1})
	if r.Stable() {
		t.Fatal("the seed scenario is reported stable")
	}
	tests := []struct {
		name  string
		a, b  string
		lines []int // the steps that must be among the deciders
	}{
		// The timer's deadline is exact; the reads' costs decide.
		{"the 1000 ms timer against the first read", "SETTIMEOUT", "First count: 39 characters.", []int{32}},
		{"the 1000 ms timer against the second read", "SETTIMEOUT", "Second count: 39 characters.", []int{52}},
		{"the first two reads", "First count: 39 characters.", "Second count: 39 characters.", []int{32, 52}},
		{"the third read against the HTTP response", "===== THREAD main START CONTENT - web call =====",
			"===== THREAD main START CONTENT - file read =====", []int{78}},
	}
	for _, tt := range tests {
		race := race(r, tt.a, tt.b)
		if race == nil {
			t.Errorf("%s: not found", tt.name)
			continue
		}
		if !decidedAt(race, tt.lines...) {
			t.Errorf("%s: decided by %v, want lines %v among them", tt.name, race.DecidedBy, tt.lines)
		}
	}
}

// TestSpacedOutScenariosAreStable explores every shipped scenario not marked timing: tight and
// expects one ordering, the golden's. Their goldens are checked against Node.js by programs
// that start main right after the loop's clock ticks (Aligned).
func TestSpacedOutScenariosAreStable(t *testing.T) {
	files, _ := filepath.Glob("../../scenarios/*.yaml")
	if len(files) == 0 {
		t.Fatal("no shipped scenarios found")
	}
	for _, file := range files {
		s, err := harness.Load(file)
		if err != nil {
			t.Fatal(err)
		}
		if s.Tight {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			r, err := Explore(s, Options{Runs: 60, Seed: 7, Aligned: true})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Stable() {
				var b strings.Builder
				r.Write(&b)
				t.Errorf("not stable:\n%s", b.String())
			}
		})
	}
}

func TestTimersKeepTheirOrderPerDelay(t *testing.T) {
	// With timers perturbed, timers of one delay still fire in the order they were armed, an
	// interval and a timeout of one delay included.
	s, err := harness.Parse("timers.yaml", []byte(`
main:
  - interval: 100
    id: iv
    times: 2
    then: [{log: interval}]
  - timeout: 100
    then: [{log: timeout}]
  - timeout: 100
    repeat: 3
    then: [{log: "timeout ${i}"}]
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Explore(s, Options{Runs: 50, Seed: 1, Timers: true})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Stable() {
		var b strings.Builder
		r.Write(&b)
		t.Errorf("timers of one delay swapped:\n%s", b.String())
	}
}

func TestSameSeedSameReport(t *testing.T) {
	write := func() string {
		var b strings.Builder
		explore(t, "../../scenarios/node-experiment.yaml", Options{Runs: 50, Seed: 3}).Write(&b)
		return b.String()
	}
	if a, b := write(), write(); a != b {
		t.Errorf("two explorations with one seed differ:\n%s\n---\n%s", a, b)
	}
}

func TestTieAtOneInstant(t *testing.T) {
	// Two reads of one cost, submitted together: only their tie decides their order.
	s, err := harness.Parse("tie.yaml", []byte(`
files: {a: x}
main:
  - read: a
    cost: 100ms
    then: [{log: first}]
  - read: a
    cost: 100ms
    then: [{log: second}]
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Explore(s, Options{Runs: 1, Seed: 1}) // one run: unperturbed, ties reversed
	if err != nil {
		t.Fatal(err)
	}
	race := race(r, "first", "second")
	if race == nil || !slices.ContainsFunc(race.DecidedBy, func(d Decider) bool { return d.Key == "tie" }) {
		t.Fatalf("the tie between two reads of one cost is not reported: %+v", r.Races)
	}
}

// inversionsByDefinition is inversions written as its definition reads: every pair of units of a,
// looked up in b, sorted by their distance in a.
func inversionsByDefinition(a, b []Unit) []Swap {
	ia, ib := occurrences(a), occurrences(b)
	type pair struct{ i, j int }
	var pairs []pair
	for i := range ia {
		for j := i + 1; j < len(ia); j++ {
			pi, pj := slices.Index(ib, ia[i]), slices.Index(ib, ia[j])
			if pi >= 0 && pj >= 0 && pi > pj {
				pairs = append(pairs, pair{i, j})
			}
		}
	}
	slices.SortStableFunc(pairs, func(p, q pair) int { return (p.j - p.i) - (q.j - q.i) })
	var swaps []Swap
	for _, p := range pairs {
		swaps = append(swaps, Swap{First: a[p.j], Second: a[p.i]})
	}
	return swaps
}

// randomUnits returns n units drawn from k distinct ones, so that some repeat.
func randomUnits(r *rand.Rand, n, k int) []Unit {
	us := make([]Unit, n)
	for i := range us {
		c := r.IntN(k)
		us[i] = Unit{Step: harness.Source{Kind: fmt.Sprintf("cb%d", c%3)}, Lines: []string{fmt.Sprintf("line %d", c)}}
		if c%4 == 0 {
			us[i].Lines = append(us[i].Lines, "more")
		}
	}
	return us
}

// reordered returns us with some units moved, dropped or added, as another ordering of a run.
func reordered(r *rand.Rand, us []Unit, k int) []Unit {
	out := slices.Clone(us)
	for range r.IntN(len(out) + 1) {
		i, j := r.IntN(len(out)), r.IntN(len(out))
		out[i], out[j] = out[j], out[i]
	}
	if len(out) > 0 && r.IntN(2) == 0 {
		i := r.IntN(len(out))
		out = slices.Delete(out, i, i+1)
	}
	if r.IntN(2) == 0 {
		out = slices.Insert(out, r.IntN(len(out)+1), randomUnits(r, 1, k)...)
	}
	return out
}

func sameSwaps(x, y []Swap) bool {
	same := func(u, v Unit) bool { return u.Step == v.Step && slices.Equal(u.Lines, v.Lines) }
	return slices.EqualFunc(x, y, func(s, t Swap) bool { return same(s.First, t.First) && same(s.Second, t.Second) })
}

// TestInversionsByDefinition checks inversions, pairs and order, against its definition on random
// orderings with repeated, missing and extra units.
func TestInversionsByDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n, k := r.IntN(30), 1+r.IntN(12)
		a := randomUnits(r, n, k)
		b := reordered(r, a, k)
		if r.IntN(10) == 0 {
			b = randomUnits(r, r.IntN(30), k)
		}
		want := inversionsByDefinition(a, b)
		limit := r.IntN(len(want) + 3)
		got, total := inversions(a, b, limit)
		if total != len(want) || !sameSwaps(got, want[:min(limit, len(want))]) {
			t.Fatalf("inversions(%v, %v, %d)\n got %v (of %d)\nwant %v (of %d)", a, b, limit, got, total, want[:min(limit, len(want))], len(want))
		}
	}
}

// BenchmarkInversions times inversions on two orderings of n units that differ by a few swaps, as
// perturbed runs do.
func BenchmarkInversions(b *testing.B) {
	for _, n := range []int{100, 1000} {
		r := rand.New(rand.NewPCG(1, uint64(n)))
		x := randomUnits(r, n, n/2)
		y := slices.Clone(x)
		for range n / 20 {
			i := r.IntN(n - 5)
			j := i + 1 + r.IntN(5)
			y[i], y[j] = y[j], y[i]
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				inversions(x, y, maxSwaps)
			}
		})
	}
}

func exploreSource(t *testing.T, src string) *Report {
	t.Helper()
	s, err := harness.Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Explore(s, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestTimeoutZeroAgainstImmediateFromMain checks the classic race: main arms a 0 ms timeout and
// an immediate, and Node.js runs either first, as main and its start-up take less or more than a
// millisecond. The explorer reports it, decided by the time main takes.
func TestTimeoutZeroAgainstImmediateFromMain(t *testing.T) {
	r := exploreSource(t, `
main:
  - timeout: 0
    then: [{log: timeout}]
  - immediate:
    then: [{log: immediate}]
`)
	if r.Stable() {
		t.Fatal("reported stable; Node.js runs either first")
	}
	rc := race(r, "timeout", "immediate")
	if rc == nil || len(rc.DecidedBy) != 1 || rc.DecidedBy[0].Key != "main" || rc.DecidedBy[0].Pos.Line != 2 {
		t.Errorf("race %+v, want it decided by the time main takes (line 2, where main is)", rc)
	}
}

// TestTimeoutZeroBeforeTheFirstLog checks the same pair armed before main's first log: the
// log's stdout set-up (rule 17) makes the timeout due when the loop begins, the unperturbed
// order, and the race is still named, rare, and decided by that set-up, which explore draws in
// whole milliseconds from 0 to 12 ms.
func TestTimeoutZeroBeforeTheFirstLog(t *testing.T) {
	r := exploreSource(t, `
main:
  - timeout: 0
    then: [{log: timeout}]
  - immediate:
    then: [{log: immediate}]
  - log: main
`)
	rc := race(r, "timeout", "immediate")
	if rc == nil || len(rc.DecidedBy) != 1 || rc.DecidedBy[0].Key != "stdout" || rc.DecidedBy[0].Pos.Line != 7 {
		t.Fatalf("race %+v, want it decided by the first log's set-up of stdout (line 7)", rc)
	}
	if rc.Runs*4 > r.Runs {
		t.Errorf("swapped in %d of %d runs; the set-up takes under a millisecond in about 1 in 12", rc.Runs, r.Runs)
	}
}

// TestTimeoutZeroAgainstImmediateInIOCallback checks that the same pair armed in an I/O
// callback is stable: check comes right after poll, timers only after it.
func TestTimeoutZeroAgainstImmediateInIOCallback(t *testing.T) {
	r := exploreSource(t, `
files: {a.txt: x}
main:
  - read: a.txt
    then:
      - timeout: 0
        then: [{log: timeout}]
      - immediate:
        then: [{log: immediate}]
`)
	if !r.Stable() {
		var b strings.Builder
		r.Write(&b)
		t.Errorf("not stable:\n%s", b.String())
	}
}

// TestMillisecondBetweenTimeoutsInMain checks that a millisecond may end between two timeouts
// armed one after the other in main, as Node.js reads the clock at each setTimeout: of a 1 ms,
// a 0 ms, a 2 ms and a 0 ms timeout, the last may start a millisecond later than the 2 ms one
// and run after it (testdata/probes/timeouts-tick-in-main.cjs: Node.js v20 printed a b d c, and
// a b c d in 5 of 80 runs).
func TestMillisecondBetweenTimeoutsInMain(t *testing.T) {
	r := exploreSource(t, `
main:
  - timeout: 1
    then: [{log: a}]
  - timeout: 0
    then: [{log: b}]
  - timeout: 2
    then: [{log: c}]
  - timeout: 0
    then: [{log: d}]
`)
	rc := race(r, "c", "d")
	if rc == nil || len(rc.DecidedBy) != 1 || rc.DecidedBy[0].Key != "main" {
		t.Fatalf("race %+v, want c against d, decided by the time main takes", rc)
	}
	if len(r.Races) != 1 {
		t.Errorf("races %v, want only c against d: a timer never runs before one of its list armed earlier", r.Races)
	}
}

// TestZeroDurationIO checks that a read of cost 0 and an HTTP call of delay 0 race: each fs
// request and each HTTP exchange takes some time (testdata/probes/zero-time-io.cjs: Node.js v20
// printed the read first in 18 of 20 runs, the response first in 2). Both start in the callback
// of a first request, so that the HTTP client's set-up (rule 18), which only the first request
// of a run pays, does not put the call milliseconds behind the read.
func TestZeroDurationIO(t *testing.T) {
	r := exploreSource(t, `
files: {a.txt: x}
main:
  - http: /first
    then:
      - read: a.txt
        cost: 0
        then: [{log: read}]
      - http: /x
        delay: 0
        then: [{log: http}]
`)
	rc := race(r, "read", "http")
	if rc == nil || !decidedAt(rc, 9) {
		t.Fatalf("race %+v, want read against http, decided by the http call's delay among others", rc)
	}
}

// TestTimersOfOneListShareAFactor checks that with Timers, delays that Node.js keeps in one list
// (100 ms and 100.7 ms; 0 ms and 1 ms) get one factor, so that their timers keep the order they
// were armed in.
func TestTimersOfOneListShareAFactor(t *testing.T) {
	s, err := harness.Parse("lists.yaml", []byte(`
main:
  - timeout: 100
    then: [{log: a}]
  - timeout: 100.7ms
    then: [{log: b}]
  - timeout: 1
    then: [{log: c}]
  - timeout: 0
    then: [{log: d}]
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, jitter := range []float64{0.1, 1} {
		r, err := Explore(s, Options{Runs: 100, Seed: 1, Timers: true, Jitter: jitter, MainTime: time.Nanosecond, StepTime: time.Nanosecond})
		if err != nil {
			t.Fatal(err)
		}
		if race(r, "a", "b") != nil || race(r, "c", "d") != nil {
			var b strings.Builder
			r.Write(&b)
			t.Errorf("jitter %g: timers of one list swapped:\n%s", jitter, b.String())
		}
	}
}

// TestMissingIntervalTick checks that orderings that differ only by an interval's tick name the
// tick and the step that decides it, rather than an empty list of races.
func TestMissingIntervalTick(t *testing.T) {
	r := exploreSource(t, `
files: {a.txt: x}
main:
  - interval: 10
    id: iv
    then: [{log: tick}]
  - read: a.txt
    cost: 30ms
    then:
      - log: read
      - clear: iv
`)
	if r.Stable() || len(r.Races) != 0 || len(r.Changes) != 1 {
		t.Fatalf("races %v, changes %v: want no race and one change", r.Races, r.Changes)
	}
	c := r.Changes[0]
	if c.Unit.Lines[0] != "tick" || c.Extra || !slices.ContainsFunc(c.DecidedBy, func(d Decider) bool { return d.Pos.Line == 7 && d.Key == "cost" }) {
		t.Errorf("change %+v, want a tick missing, decided by the read's cost", c)
	}
	var b strings.Builder
	r.Write(&b)
	if !strings.Contains(b.String(), `"tick" from interval 10ms (t.yaml:4:5) missing`) {
		t.Errorf("the report does not say which line is missing:\n%s", b.String())
	}
}

// fakeFacts returns one fact per set of step indexes that undoes it together (a fact with a set
// of one is decided by that step alone), and an undone that answers as re-runs would.
func fakeFacts(sets [][]int) ([]fact, func(bool, ...Decider) ([]bool, error), *int) {
	facts := make([]fact, len(sets))
	for i := range facts {
		facts[i] = fact{explained: &explained{}}
	}
	runs := new(int)
	undone := func(_ bool, ds ...Decider) ([]bool, error) {
		*runs++
		off := map[int]bool{}
		for _, d := range ds {
			off[d.Pos.Line] = true
		}
		out := make([]bool, len(sets))
		for i, set := range sets {
			out[i] = true
			for _, s := range set {
				out[i] = out[i] && off[s]
			}
		}
		return out, nil
	}
	return facts, undone, runs
}

func fakeSteps(n int) []Decider {
	steps := make([]Decider, n)
	for i := range steps {
		steps[i] = Decider{Pos: harness.Pos{File: "f.yaml", Line: i}, Key: "cost", D: time.Millisecond}
	}
	return steps
}

func lines(ds []Decider) []int {
	var ls []int
	for _, d := range ds {
		ls = append(ls, d.Pos.Line)
	}
	slices.Sort(ls)
	return ls
}

// TestBisectFindsDeciders checks that among many steps, halving finds each step that decides a
// fact alone, in a number of re-runs that grows with the logarithm of the steps.
func TestBisectFindsDeciders(t *testing.T) {
	facts, undone, runs := fakeFacts([][]int{{17}, {900}, {3, 4}})
	x := &explorer{}
	if err := x.bisect(facts, fakeSteps(1000), undone, false); err != nil {
		t.Fatal(err)
	}
	if got := lines(facts[0].DecidedBy); !slices.Equal(got, []int{17}) {
		t.Errorf("first fact decided by %v, want [17]", got)
	}
	if got := lines(facts[1].DecidedBy); !slices.Equal(got, []int{900}) {
		t.Errorf("second fact decided by %v, want [900]", got)
	}
	if len(facts[2].DecidedBy) != 0 {
		t.Errorf("a fact no step decides alone is decided by %v", facts[2].DecidedBy)
	}
	if *runs > 60 {
		t.Errorf("%d re-runs for 1000 steps", *runs)
	}
}

// TestMinimiseNamesStepsTogether checks that a fact no step decides alone is given the steps
// that decide it together.
func TestMinimiseNamesStepsTogether(t *testing.T) {
	for _, n := range []int{5, 40, 1000} {
		facts, undone, runs := fakeFacts([][]int{{1, n - 2}})
		if err := minimise(facts[0], 0, fakeSteps(n), undone, false); err != nil {
			t.Fatal(err)
		}
		if got := lines(facts[0].DecidedBy); !facts[0].Together || !slices.Equal(got, []int{1, n - 2}) {
			t.Errorf("%d steps: decided by %v (together: %v), want [1 %d] together", n, got, facts[0].Together, n-2)
		}
		if *runs > maxMinimise {
			t.Errorf("%d steps: %d re-runs", n, *runs)
		}
		var b strings.Builder
		(&Report{File: "f.yaml", Runs: 1, Jitter: 0.1, Orderings: []*Ordering{{Baseline: true}, {}},
			Races: []*Race{{First: Unit{Lines: []string{"a"}}, Second: Unit{Lines: []string{"b"}}, explained: *facts[0].explained}}}).Write(&b)
		if want := fmt.Sprintf("decided by f.yaml:1 (cost 1ms) and f.yaml:%d (cost 1ms) together", n-2); !strings.Contains(b.String(), want) {
			t.Errorf("%d steps: the report does not say %q:\n%s", n, want, b.String())
		}
	}
}

// BenchmarkExploreHTTP explores n HTTP calls made by one repeated step, whose responses, 100 ms
// each, come back in a new order in every perturbed run: the report's memory and time grow
// with n log n, not with the n² pairs of callbacks that swap.
func BenchmarkExploreHTTP(b *testing.B) {
	for _, n := range []int{100, 1000} {
		s, err := harness.Parse("http.yaml", fmt.Appendf(nil, `
main:
  - http: /x${i}
    delay: 100ms
    repeat: %d
    then:
      - log: "got ${i}"
`, n))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Explore(s, Options{Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestReportNumbers(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 241501: "241,501", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for _, c := range []struct {
		n, total int
		want     string
	}{{0, 201, "0%"}, {1, 201, "<1%"}, {18, 201, "9%"}, {200, 201, ">99%"}, {201, 201, "100%"}} {
		if got := percent(c.n, c.total); got != c.want {
			t.Errorf("percent(%d, %d) = %q, want %q", c.n, c.total, got, c.want)
		}
	}
}
