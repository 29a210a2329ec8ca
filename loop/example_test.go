package loop_test

import (
	"fmt"
	"os"
	"time"

	"github.com/looptest/looptest/loop"
)

// The loop is a Go API of its own: the order below is Node's, on every run.
func Example() {
	l := loop.New(loop.Options{Backend: loop.NewVirtual(loop.VirtualConfig{Threads: 4})})
	err := l.Run(func() {
		l.SetTimeout(0, loop.Label("timeout"), func() { fmt.Println("timeout") })
		l.SetImmediate(loop.Label("immediate"), func() { fmt.Println("immediate") })
		l.QueueMicrotask(loop.Label("microtask"), func() { fmt.Println("microtask") })
		l.NextTick(loop.Label("nextTick"), func() { fmt.Println("nextTick") })
		l.Submit(&loop.Task{
			Source: loop.Label("read"),
			Cost:   50 * time.Millisecond,
			Work:   func() (any, error) { return "file content", nil },
			Done: func(result any, err error) {
				fmt.Println("read done:", result)
				l.SetTimeout(0, loop.Label("timeout from I/O"), func() { fmt.Println("timeout from I/O") })
				l.SetImmediate(loop.Label("immediate from I/O"), func() { fmt.Println("immediate from I/O") })
			},
		})
		fmt.Println("main")
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// main
	// nextTick
	// microtask
	// immediate
	// timeout
	// read done: file content
	// immediate from I/O
	// timeout from I/O
}

// A Recorder keeps every loop event; WriteTrace prints them for a person.
func ExampleWriteTrace() {
	var rec loop.Recorder
	l := loop.New(loop.Options{Recorder: &rec})
	l.Run(func() {
		l.SetImmediate(loop.Label("immediate"), func() { l.Log(loop.Label("immediate"), "hello") })
	})
	loop.WriteTrace(os.Stdout, rec.Events())
	// Output:
	//       TIME  THREAD PHASE  EVENT
	//         0s  main   main   queue immediate
	// ===== tick 1 =====
	//         0s  main   poll   poll waited 0s
	//         0s  main   check  run immediate
	//         0s  main   check  log "hello"
}
