// The end-to-end tests of looptest: the command line through testscript, and every shipped
// scenario against its golden file.
package looptest_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/looptest/looptest/golden"
	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/cli"
	"github.com/looptest/looptest/internal/explore"
	"github.com/looptest/looptest/internal/lttest"
	"github.com/looptest/looptest/internal/realcheck"
	"github.com/looptest/looptest/internal/verdict"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"looptest": func() { os.Exit(cli.Command(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/script/*.txtar; with -update, failing cmp sections are rewritten.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		UpdateScripts:       lttest.Update(),
		RequireExplicitExec: true,
		// [realtime]: the lines that depend on real time run only with LOOPTEST_REAL=1.
		Condition: func(cond string) (bool, error) {
			if cond == "realtime" {
				return lttest.RealTime(), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(env *testscript.Env) error {
			// Scripts may copy the shipped scenarios in, and read the catalogue of malformed
			// scenarios where it is.
			wd, err := os.Getwd()
			env.Setenv("SCENARIOS", filepath.Join(wd, "scenarios"))
			env.Setenv("BAD", filepath.Join(wd, "testdata", "bad"))
			env.Setenv("HOSTILE", filepath.Join(wd, "testdata", "hostile"))
			return err
		},
	})
}

// TestScenariosRealClock runs every scenario whose ordering does not hinge on gaps under 20 ms
// (no `# timing: tight` line) on the real clock, with real threads, epoll and sockets, and expects
// its golden: the virtual ordering is what a real loop does.
func TestScenariosRealClock(t *testing.T) {
	lttest.NeedRealTime(t)
	// One real run at a time: their margins are tens of milliseconds, and a second run on a
	// 2-core machine eats into them.
	eachScenario(t, func(t *testing.T, file string, s *harness.Scenario) {
		if s.Tight {
			t.Skip("timing: tight: its ordering hinges on gaps under 20ms")
		}
		judge(t, s, realcheck.Target{Limits: harness.DefaultLimits})
	})
}

// TestScenarios runs every scenarios/*.yaml under its own clock and compares its ordering with
// its golden file; with -update it rewrites the goldens.
func TestScenarios(t *testing.T) {
	eachScenario(t, func(t *testing.T, file string, s *harness.Scenario) {
		t.Parallel()
		var out bytes.Buffer
		if err := s.Ended(s.Run(harness.RunOptions{Out: &out})); err != nil {
			t.Fatalf("run: %v", err)
		}
		path := cli.GoldenPath(file)
		if lttest.Update() {
			if err := golden.Write(path, out.Bytes()); err != nil {
				t.Fatal(err)
			}
			return
		}
		if err := golden.Check(path, file, out.Bytes()); err != nil {
			t.Error(err)
		}
	})
}

// TestScenariosStable explores every shipped scenario not marked `# timing: tight` and expects one
// ordering: what a golden states must be what Node.js prints, not one side of a race. It
// explores (100 runs) with main starting anywhere in a millisecond, as `looptest explore` does:
// stricter than `test --explore`, since the Node.js programs start main right after the loop's
// clock ticks, yet on a virtual machine's coarse clock a millisecond still ends now and then
// between two timers that main arms one after the other, and a golden that hinges on it fails
// in CI.
func TestScenariosStable(t *testing.T) {
	eachScenario(t, func(t *testing.T, file string, s *harness.Scenario) {
		if s.Tight {
			t.Skip("timing: tight")
		}
		t.Parallel()
		r, err := explore.Explore(s, explore.Options{Runs: 100, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Stable() {
			var b bytes.Buffer
			r.Write(&b)
			t.Errorf("its ordering changes when timings wobble: space out what races, or mark it tight\n%s", b.String())
		}
	})
}

// judge checks s on a real target against its virtual run (whose ordering TestScenarios checks
// against the golden): a failure fails t with the evidence, an ordering that stays
// inconclusive after the reruns skips it with the evidence, since load explains it.
func judge(t *testing.T, s *harness.Scenario, target realcheck.Target) {
	t.Helper()
	_, res, err := realcheck.Check(context.Background(), s, target)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case res.Verdict == verdict.Fail:
		t.Errorf("%s@%s:\n%s", s.File, target.Name(), res)
	case res.Verdict == verdict.Inconclusive:
		t.Skipf("%s@%s:\n%s", s.File, target.Name(), res)
	case len(res.Runs) > 1:
		t.Logf("%s@%s passed after inconclusive runs:\n%s", s.File, target.Name(), res)
	}
}

// eachScenario runs f as a subtest for every shipped scenario, loaded; a scenario that does not
// load fails its subtest, and finding none fails the test.
func eachScenario(t *testing.T, f func(t *testing.T, file string, s *harness.Scenario)) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("scenarios", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios found: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			s, err := harness.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			f(t, file, s)
		})
	}
}
