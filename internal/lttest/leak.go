package lttest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Resources is what the process holds at one moment: its goroutines, its OS threads and its
// open file descriptors.
type Resources struct {
	Goroutines int
	Threads    int            // from /proc/self/status; 0 where there is no /proc
	FDs        map[int]string // descriptor → what it is open on (readlink of /proc/self/fd/N)
}

// Snapshot returns what the process holds now. Threads and FDs stay empty on systems without
// /proc.
func Snapshot() Resources {
	return Resources{Goroutines: runtime.NumGoroutine(), Threads: threads(), FDs: fds()}
}

// LeakTimeout is how long CheckLeaks waits for goroutines, threads and descriptors to go away
// after a test: worker goroutines end, and their threads exit, shortly after the call that
// stopped them returns.
const LeakTimeout = 5 * time.Second

// CheckLeaks records what the process holds now and, when the test ends, fails the test if more
// goroutines, OS threads or open descriptors remain than before. It polls for up to LeakTimeout,
// since goroutines and the threads they locked go away shortly after they are told to stop. On
// failure it reports the new descriptors and the stacks of all goroutines.
//
// The Go runtime never ends an idle thread: a thread it starts to run goroutines while others
// are locked to theirs (as the real clock's workers are) stays for good. So that such threads
// are not taken for leaks, CheckLeaks first makes the runtime start a generous number of threads
// and leaves them idle, for the test to reuse.
//
// Call it at the start of a test that is not parallel (the counts are the whole process's), after
// a warm-up run if the code under test starts goroutines it keeps for good (net starts its poller
// once). Cleanups registered after CheckLeaks (t.TempDir, say) run before its check.
func CheckLeaks(t testing.TB) {
	t.Helper()
	primeThreads()
	before := Snapshot()
	t.Cleanup(func() {
		t.Helper()
		if err := WaitNoLeaks(before, LeakTimeout); err != nil {
			t.Error(err)
		}
	})
}

// idleThreads is how many idle threads primeThreads leaves to the runtime: more than a test
// needs at once beyond GOMAXPROCS (a loop thread, a pool of workers, threads blocked in
// syscalls).
const idleThreads = 32

// primeThreads makes the runtime start threads and leaves them idle: goroutines locked to
// their threads, all blocked at once, need one thread each; they unlock before they end, which
// hands the threads back to the runtime instead of ending them.
func primeThreads() {
	n := idleThreads + runtime.GOMAXPROCS(0)
	goroutines := runtime.NumGoroutine()
	var locked, done sync.WaitGroup
	release := make(chan struct{})
	locked.Add(n)
	done.Add(n)
	for range n {
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			locked.Done()
			<-release
			runtime.UnlockOSThread()
		}()
	}
	locked.Wait()
	close(release)
	done.Wait()
	// Let the goroutines finish exiting, so that the snapshot does not count them.
	for deadline := time.Now().Add(time.Second); runtime.NumGoroutine() > goroutines && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
}

// WaitNoLeaks waits up to timeout for the process to hold no more than before, and returns an
// error describing what remains if it does not.
func WaitNoLeaks(before Resources, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		now := Snapshot()
		extra := now.extraFDs(before)
		ok := now.Goroutines <= before.Goroutines && now.Threads <= before.Threads && len(extra) == 0
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return now.leakError(before, extra)
		}
		runtime.GC() // finalizers close descriptors that were dropped without Close
		time.Sleep(5 * time.Millisecond)
	}
}

// extraFDs lists the descriptors open now that were not open before, or are open on something
// else.
func (r Resources) extraFDs(before Resources) []string {
	var extra []string
	for fd, target := range r.FDs {
		if was, ok := before.FDs[fd]; !ok || was != target {
			extra = append(extra, strconv.Itoa(fd)+" → "+target)
		}
	}
	slices.Sort(extra)
	return extra
}

func (r Resources) leakError(before Resources, extra []string) error {
	var b strings.Builder
	b.WriteString("resources leaked:")
	if r.Goroutines > before.Goroutines {
		fmt.Fprintf(&b, "\n  goroutines: %d before, %d after", before.Goroutines, r.Goroutines)
	}
	if r.Threads > before.Threads {
		fmt.Fprintf(&b, "\n  OS threads: %d before, %d after", before.Threads, r.Threads)
	}
	if len(extra) > 0 {
		fmt.Fprintf(&b, "\n  descriptors: %d before, %d after; new: %s", len(before.FDs), len(r.FDs), strings.Join(extra, ", "))
	}
	if r.Goroutines > before.Goroutines {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		fmt.Fprintf(&b, "\n  goroutines now:\n%s", bytes.TrimSpace(buf))
	}
	return fmt.Errorf("%s", b.String())
}

// threads returns the number of OS threads of the process, or 0 without /proc.
func threads() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// fds returns the open descriptors and what they are open on, or nil without /proc. The
// descriptor that reads the directory is left out.
func fds() map[int]string {
	dir, err := os.Open("/proc/self/fd")
	if err != nil {
		return nil
	}
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return nil
	}
	self := int(dir.Fd())
	m := make(map[int]string, len(names))
	for _, name := range names {
		fd, err := strconv.Atoi(name)
		if err != nil || fd == self {
			continue
		}
		target, err := os.Readlink(filepath.Join("/proc/self/fd", name))
		if err != nil {
			continue // closed while we looked
		}
		m[fd] = target
	}
	return m
}
