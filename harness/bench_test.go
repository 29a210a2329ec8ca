package harness

import (
	_ "github.com/looptest/looptest/internal/lttest" // every test binary understands -update

	"io"
	"testing"
)

// BenchmarkTimers1M runs one million timers, each logging its index, under the virtual clock:
// the workload of bench/timers-1m-virtual.yaml.
func BenchmarkTimers1M(b *testing.B) {
	s, err := Load("../bench/timers-1m-virtual.yaml")
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, s)
}

// benchRun runs s once per iteration.
func benchRun(b *testing.B, s *Scenario) {
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Run(RunOptions{Out: io.Discard}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSource runs a scenario given as text, once per iteration.
func benchSource(b *testing.B, src string) {
	s, err := Parse("bench.yaml", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, s)
}

// BenchmarkPromiseThen100K attaches 100,000 then handlers to promises, each a microtask.
func BenchmarkPromiseThen100K(b *testing.B) {
	benchSource(b, `
main:
  - promise: ${i}
    repeat: 100000
    chain:
      - then: [{log: "${value}"}]
`)
}

// BenchmarkAwait100K resumes one async function 100,000 times: a coroutine switch and a
// reaction each.
func BenchmarkAwait100K(b *testing.B) {
	benchSource(b, `
main:
  - async: loop
    body:
      - await: ${i}
        repeat: 100000
`)
}

// BenchmarkAsyncCalls10K calls 10,000 async functions that each await once.
func BenchmarkAsyncCalls10K(b *testing.B) {
	benchSource(b, `
main:
  - async: f
    repeat: 10000
    body:
      - await: 1
      - log: "${i}"
`)
}

// BenchmarkHTTPKeys10K sends 10,000 requests whose delay and respond are fixed, read once when
// the file loads, or hold ${i} (delay and body), read each time the step runs.
func BenchmarkHTTPKeys10K(b *testing.B) {
	b.Run("fixed", func(b *testing.B) {
		benchSource(b, `
main:
  - http: /x
    repeat: 10000
    delay: 10ms
    respond: {status: 201, body: "reply"}
`)
	})
	b.Run("interpolated", func(b *testing.B) {
		benchSource(b, `
main:
  - http: /x
    repeat: 10000
    delay: ${i}ms
    respond: {status: 201, body: "reply ${i}"}
`)
	})
}

// BenchmarkTimers1MOverDelays runs bench/timers-1m.yaml, one million timers over 100 delays
// with empty callbacks, under the virtual clock.
func BenchmarkTimers1MOverDelays(b *testing.B) {
	s, err := Load("../bench/timers-1m.yaml")
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, s)
}

// BenchmarkImmediates1M runs bench/immediates-1m.yaml under the virtual clock.
func BenchmarkImmediates1M(b *testing.B) {
	s, err := Load("../bench/immediates-1m.yaml")
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, s)
}

// BenchmarkPool100K runs bench/pool-100k.yaml under the virtual clock.
func BenchmarkPool100K(b *testing.B) {
	s, err := Load("../bench/pool-100k.yaml")
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, s)
}
