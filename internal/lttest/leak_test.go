package lttest

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestWaitNoLeaksSeesWhatRemains(t *testing.T) {
	primeThreads()
	before := Snapshot()
	if before.Goroutines == 0 || runtime.GOOS == "linux" && (before.Threads == 0 || len(before.FDs) == 0) {
		t.Fatalf("Snapshot() = %+v, want counts", before)
	}
	f, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		<-stop
	}()

	err = WaitNoLeaks(before, 50*time.Millisecond)
	if err == nil {
		t.Fatal("WaitNoLeaks saw nothing, with a goroutine, a thread and a file left")
	}
	for _, want := range []string{"goroutines: ", "descriptors: ", os.Args[0], "TestWaitNoLeaksSeesWhatRemains"} {
		if runtime.GOOS == "linux" || want == "goroutines: " {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the leak report lacks %q:\n%v", want, err)
			}
		}
	}

	f.Close()
	close(stop)
	<-stopped
	if err := WaitNoLeaks(before, LeakTimeout); err != nil {
		t.Errorf("after cleaning up: %v", err)
	}
}
