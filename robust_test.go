package looptest_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/looptest/looptest/internal/cli"
	"github.com/looptest/looptest/internal/lttest"
)

// TestBadCatalogue checks the catalogue of malformed scenarios: each file in testdata/bad fails
// to load with exit status 2 and messages that name it, quickly (timed with LOOPTEST_REAL=1), and
// testdata/script/bad.txtar checks its exact stderr.
func TestBadCatalogue(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	if err != nil || len(files) < 25 {
		t.Fatalf("%d malformed scenarios in testdata/bad, want at least 25 (%v)", len(files), err)
	}
	script, err := os.ReadFile(filepath.Join("testdata", "script", "bad.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	var named []string
	for line := range strings.Lines(string(script)) {
		if rest, ok := strings.CutPrefix(line, "! exec looptest check "); ok {
			named = append(named, strings.Fields(rest)...)
		}
	}
	for _, file := range files {
		name := filepath.Base(file)
		if !slices.Contains(named, name) {
			t.Errorf("%s is not checked by testdata/script/bad.txtar", name)
		}
		var stdout, stderr bytes.Buffer
		begin := time.Now()
		status := cli.Main([]string{"check", file}, &stdout, &stderr)
		if elapsed := time.Since(begin); lttest.RealTime() && elapsed > 2*time.Second {
			t.Errorf("%s: check took %v", name, elapsed)
		}
		if status != 2 || stdout.Len() > 0 {
			t.Errorf("%s: exit status %d, stdout %q; want 2 and nothing", name, status, stdout.String())
		}
		for line := range strings.Lines(stderr.String()) {
			if !strings.HasPrefix(line, file+":") {
				t.Errorf("%s: a message that does not start with FILE:LINE:COL: %q", name, line)
			}
		}
	}
}

// TestConcurrentTestRuns runs 'looptest test' over a set of scenarios twice at the same time,
// under each clock, and then two '-update' runs over one directory at the same time: the runs
// must not share sandboxes, ports or files, so all pass, the goldens stay whole and nothing is
// left behind. Under the virtual clock the set is the shipped scenarios; under the real one, a
// set whose files and responses differ from scenario to scenario, with gaps wide enough for a
// loaded machine, so that a shared sandbox or delay server would show in the orderings.
func TestConcurrentTestRuns(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	shipped, err := filepath.Glob(filepath.Join("scenarios", "*.yaml"))
	if err != nil || len(shipped) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	clocks := map[string][]string{"virtual": shipped}
	if runtime.GOOS == "linux" && lttest.RealTime() {
		clocks["real"] = isolationSet(t, filepath.Join(tmp, "isolation"), 8)
	}
	for clock, files := range clocks {
		t.Run(clock, func(t *testing.T) {
			args := append([]string{"test", "--clock", clock}, files...)
			outs := twice(t, args)
			for _, out := range outs {
				if want := fmt.Sprintf("%d passed, 0 failed\n", len(files)); !strings.HasSuffix(out, want) {
					t.Errorf("a concurrent run printed:\n%s\nwant it to end with %q", out, want)
				}
			}
		})
	}

	// Two -update runs over one directory write the same goldens: each rename is atomic.
	dir := filepath.Join(tmp, "update")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range shipped {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	twice(t, []string{"test", "-update", dir})
	for _, f := range shipped {
		want, _ := os.ReadFile(cli.GoldenPath(f))
		got, err := os.ReadFile(cli.GoldenPath(filepath.Join(dir, filepath.Base(f))))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: golden after two concurrent updates differs from the shipped one (%v)", f, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2*len(shipped) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("after the updates the directory holds %v; want the scenarios and their goldens only", names)
	}
	entries, _ = os.ReadDir(tmp)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "looptest-") {
			t.Errorf("sandbox left behind in TMPDIR: %s", e.Name())
		}
	}
}

// isolationSet writes n scenarios and their goldens into dir and returns their files. Each
// writes its own content into a file of the same name, reads it back, and asks the delay server
// for its own body: a sandbox or a server shared between runs would mix them up.
func isolationSet(t *testing.T, dir string, n int) []string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var files []string
	for i := range n {
		src := fmt.Sprintf(`files: {data.txt: "file of scenario %[1]d"}
main:
  - read: data.txt
    cost: 100ms
    as: text
    then: [{log: "read: ${text}"}]
  - http: /scenario/%[1]d
    delay: 300ms
    respond: {body: "body of scenario %[1]d"}
    as: res
    then: [{log: "http: ${res.body}"}]
`, i)
		want := fmt.Sprintf("read: file of scenario %[1]d\nhttp: body of scenario %[1]d\n", i)
		file := filepath.Join(dir, fmt.Sprintf("s%d.yaml", i))
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cli.GoldenPath(file), []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	return files
}

// twice runs the command line with args twice at the same time, expects both to succeed, and
// returns what they printed.
func twice(t *testing.T, args []string) [2]string {
	t.Helper()
	var outs [2]string
	var wg sync.WaitGroup
	for i := range outs {
		wg.Go(func() {
			var stdout, stderr bytes.Buffer
			if status := cli.Main(args, &stdout, &stderr); status != 0 {
				t.Errorf("looptest %s: exit status %d\n%s%s", strings.Join(args, " "), status, stdout.String(), stderr.String())
			}
			outs[i] = stdout.String()
		})
	}
	wg.Wait()
	return outs
}
