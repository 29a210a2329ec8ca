package explore

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
	r := explore(t, "../scenarios/node-experiment.yaml", Options{Seed: 1})
	if r.Stable() {
		t.Fatal("the seed scenario is reported stable")
	}
	tests := []struct {
		name  string
		a, b  string
		lines []int // the steps that must be among the deciders
	}{
		// The timer's deadline is exact; the reads' costs decide.
		{"the 1000 ms timer against the first read", "SETTIMEOUT", "First count: 39 characters.", []int{30}},
		{"the 1000 ms timer against the second read", "SETTIMEOUT", "Second count: 39 characters.", []int{50}},
		{"the first two reads", "First count: 39 characters.", "Second count: 39 characters.", []int{30, 50}},
		{"the third read against the HTTP response", "===== THREAD main START CONTENT - web call =====",
			"===== THREAD main START CONTENT - file read =====", []int{76}},
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
// expects one ordering, the golden's.
func TestSpacedOutScenariosAreStable(t *testing.T) {
	files, _ := filepath.Glob("../scenarios/*.yaml")
	for _, file := range files {
		s, err := harness.Load(file)
		if err != nil {
			t.Fatal(err)
		}
		if s.Tight {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			r, err := Explore(s, Options{Runs: 60, Seed: 7})
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
		explore(t, "../scenarios/node-experiment.yaml", Options{Runs: 50, Seed: 3}).Write(&b)
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
