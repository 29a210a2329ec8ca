package cli

import (
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/explore"
)

// testAll tests the files, as many at once as there are CPUs to run them, and returns their
// results in the order of the files. Once stop closes (SIGINT, SIGTERM), no scenario starts: the
// ones that did not are notRun.
func testAll(files []string, opts testOptions, limits harness.Limits, stop <-chan struct{}) []testResult {
	results := make([]testResult, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, file := range files {
		if !startOne(sem, stop) {
			for j := i; j < len(files); j++ {
				results[j] = testResult{file: files[j], notRun: true}
			}
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			start := time.Now()
			results[i] = testOne(file, opts.clock, opts.update, limits, stop)
			if opts.explore && results[i].ok {
				exploreOne(&results[i], stop)
			}
			results[i].elapsed = time.Since(start)
		}()
	}
	wg.Wait()
	return results
}

// startOne waits for a place in sem to run a scenario, and reports whether it may start: not
// once stop has closed, even when a place came free at the same time.
func startOne(sem chan struct{}, stop <-chan struct{}) bool {
	select {
	case <-stop:
		return false
	case sem <- struct{}{}:
	}
	select {
	case <-stop:
		<-sem
		return false
	default:
		return true
	}
}

// exploreOne explores a scenario that passed, and fails it when it is timing-sensitive without
// saying so.
func exploreOne(res *testResult, stop <-chan struct{}) {
	s, err := harness.Load(res.file)
	if err != nil {
		res.ok, res.detail = false, err.Error()+"\n"
		return
	}
	rep, err := explore.Explore(s, explore.Options{Runs: 100, Seed: 1, Aligned: true, Stop: stop})
	switch {
	case err != nil:
		res.ok, res.detail = false, err.Error()+"\n"
	case !rep.Stable() && !s.Tight:
		var b strings.Builder
		b.WriteString("its ordering changes when timings wobble: space out the events that race, or mark the file '# timing: tight'\n")
		rep.Write(&b)
		res.ok, res.detail = false, b.String()
	case !rep.Stable():
		res.note += " (timing-sensitive, marked tight)"
	case s.Tight:
		res.note += " (marked tight, but stable when timings wobble)"
	}
}
