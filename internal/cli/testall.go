package cli

import (
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/looptest/looptest/harness"
	"github.com/looptest/looptest/internal/explore"
)

// testAll tests the files, as many at once as there are CPUs to run them, and hands each result
// to emit as soon as it and every result before it are in: in the order of the files, whatever
// order they finish in, so that what is printed streams yet stays the same from run to run.
// started and finished, if not nil, are told of each scenario as it starts and ends, in any
// order, from the goroutine that runs it (for a progress line). Once stop closes (SIGINT,
// SIGTERM), no scenario starts: the ones that did not are notRun.
func testAll(files []string, opts testOptions, limits harness.Limits, stop <-chan struct{}, emit func(testResult), hooks testHooks) {
	results := make([]testResult, len(files))
	done := make([]chan struct{}, len(files))
	for i := range done {
		done[i] = make(chan struct{})
	}
	go func() {
		var wg sync.WaitGroup
		sem := make(chan struct{}, runtime.GOMAXPROCS(0))
		for i, file := range files {
			if !startOne(sem, stop) {
				for j := i; j < len(files); j++ {
					results[j] = testResult{file: files[j], notRun: true}
					close(done[j])
				}
				break
			}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				hooks.start(file)
				start := time.Now()
				results[i] = testOne(file, opts.clock, opts.update, limits, stop)
				if opts.explore && results[i].ok {
					exploreOne(&results[i], stop)
				}
				results[i].elapsed = time.Since(start)
				hooks.finish(results[i])
				close(done[i])
			}()
		}
		wg.Wait()
	}()
	for i := range files {
		<-done[i]
		emit(results[i])
	}
}

// testHooks are told of each scenario as it starts and as it ends.
type testHooks struct {
	started  func(file string)
	finished func(testResult)
}

func (h testHooks) start(file string) {
	if h.started != nil {
		h.started(file)
	}
}

func (h testHooks) finish(r testResult) {
	if h.finished != nil {
		h.finished(r)
	}
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
