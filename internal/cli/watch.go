package cli

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/looptest/looptest/internal/words"
)

// watchEvery is how often test --watch looks at the files' modification times and sizes. It
// polls rather than asking the system to tell it, which needs nothing more and works on every
// file system, a network one too.
const watchEvery = 500 * time.Millisecond

// A stamp is what test --watch knows of a file: whether it is there, its size and its
// modification time.
type stamp struct {
	exists bool
	size   int64
	mod    time.Time
}

func stampOf(path string) stamp {
	info, err := os.Stat(path)
	if err != nil {
		return stamp{}
	}
	return stamp{true, info.Size(), info.ModTime()}
}

// stamps are a scenario's: its file and its golden. (The files its read steps read are in its
// sandbox, written from its own files: key.)
func stamps(file string) [2]stamp {
	return [2]stamp{stampOf(file), stampOf(GoldenPath(file))}
}

// watch tests the scenarios paths stand for, then, until a signal comes, looks at them every
// watchEvery and tests again those whose file or golden changed, and those that appeared. It
// returns the status of the last test.
func (c *cli) watch(paths []string, opts testOptions) int {
	seen := map[string][2]stamp{}
	var status int
	var all []scenarioFile
	scan := func() []string {
		found, err := scenarioFiles(paths)
		if err != nil {
			fmt.Fprintf(c.stderr, "looptest test: %v\n", err)
			return nil
		}
		all = found
		var changed []string
		now := map[string][2]stamp{}
		for _, f := range opts.run.filter(found) {
			now[f] = stamps(f)
			if old, ok := seen[f]; !ok || old != now[f] {
				changed = append(changed, f)
			}
		}
		seen = now
		return changed
	}
	first := true
	tick := c.watchTick
	if tick == nil {
		t := time.NewTicker(watchEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		if changed := scan(); len(changed) > 0 || first {
			if !first {
				fmt.Fprintf(c.stdout, "\nchanged: %s\n", strings.Join(quoteNames(changed), " "))
			}
			if first && len(changed) == 0 && opts.run != nil {
				fmt.Fprintf(c.stderr, "looptest test: warning: -run %s matches no scenario\n", opts.run)
			}
			first = false
			if len(changed) > 0 {
				status = c.testFiles(all, changed, opts)
			}
			fmt.Fprintf(c.stderr, "watching %d %s for changes; Ctrl-C to stop\n", len(seen), words.Plural(len(seen), "scenario"))
		}
		select {
		case <-c.stop:
			return status
		case <-tick:
		}
	}
}

func quoteNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quoteName(n)
	}
	return out
}
