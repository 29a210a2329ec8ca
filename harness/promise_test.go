package harness

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/looptest/looptest/internal/lttest"
	"github.com/looptest/looptest/loop"
)

// The rule tests of promises (SPEC §2 rules 13-16): each scenario is a case of
// testdata/probes, and its want is what Node 20 printed there.

// ruler is a chain of then callbacks that logs t1, t2, ... one a tick: started after a case, tK
// runs in tick K, after the reactions of tick K queued before it.
const ruler = `
  - promise: ~
    chain:
      - then: [{log: t1}]
      - then: [{log: t2}]
      - then: [{log: t3}]
      - then: [{log: t4}]
      - then: [{log: t5}]
`

// runUncaught runs a scenario that must end as Node ends a process, by an uncaught exception
// or an unhandled rejection: it returns that error and the ordering printed before it.
func runUncaught(t *testing.T, src string) (*UncaughtError, string) {
	t.Helper()
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = s.Run(RunOptions{Out: &out})
	var ue *UncaughtError
	if !errors.As(err, &ue) {
		t.Fatalf("run: %v, want an uncaught exception or an unhandled rejection", err)
	}
	return ue, out.String()
}

func wantLines(t *testing.T, got string, want ...string) {
	t.Helper()
	if w := strings.Join(want, "\n") + "\n"; got != w {
		t.Errorf("got:\n%swant:\n%s", got, w)
	}
}

// TestRule13ReactionsInAttachmentOrder: a reaction is queued when its promise settles, or at
// once when attached to a settled one, in attachment order (promise-ticks.cjs, last case).
func TestRule13ReactionsInAttachmentOrder(t *testing.T) {
	got := runSource(t, `
main:
  - promise: 1
    id: p
  - promise:
      new:
        - microtask:
          then:
            - log: resolve q
            - resolve: 2
    id: q
  - promise: {id: p}
    chain: [{then: [{log: p reaction 1 (p already settled)}]}]
  - promise: {id: q}
    chain: [{then: [{log: q reaction 1 (attached while pending)}]}]
`)
	// The microtask that resolves q was queued before p's reaction, which is queued as it is
	// attached; q's reaction, attached while q was pending, is queued when q settles.
	wantLines(t, got, "resolve q", "p reaction 1 (p already settled)", "q reaction 1 (attached while pending)")
}

// TestRule13FinallyPassesTheValueTwoTicksLater (promise-ticks.cjs: finally passes a value on).
func TestRule13FinallyPassesTheValueTwoTicksLater(t *testing.T) {
	got := runSource(t, `
main:
  - promise: 5
    chain:
      - finally: [{log: finally handler}]
      - then: [{log: "then after finally: ${value}"}]
`+ruler)
	wantLines(t, got, "finally handler", "t1", "t2", "t3", "then after finally: 5", "t4", "t5")
}

// TestRule13AsyncBodyRunsToItsFirstAwait (async-classic.cjs).
func TestRule13AsyncBodyRunsToItsFirstAwait(t *testing.T) {
	got := runSource(t, `
main:
  - log: script start
  - async: async1
    body:
      - log: async1 start
      - await: {async: async2, body: [{log: async2}]}
      - log: async1 end
  - promise: {new: [{log: promise1}, {resolve: ~}]}
    chain: [{then: [{log: promise2}]}]
  - log: script end
`)
	wantLines(t, got, "script start", "async1 start", "async2", "promise1", "script end", "async1 end", "promise2")
}

// TestRule14AwaitTicks: an await of a plain value or a settled native promise resumes one tick
// later, of a thenable two (promise-ticks.cjs).
func TestRule14AwaitTicks(t *testing.T) {
	for _, c := range []struct {
		name, source string
		want         []string
	}{
		{"value", "42", []string{"resumed", "t1", "t2"}},
		{"native", "{resolve: 1}", []string{"resumed", "t1", "t2"}},
		{"thenable", "{thenable: 1}", []string{"t1", "resumed", "t2"}},
		{"rejected", "{reject: e}", []string{"resumed", "t1", "t2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := runSource(t, `
main:
  - async: f
    body:
      - await: `+c.source+`
        catch: []
      - log: resumed
  - promise: ~
    chain:
      - then: [{log: t1}]
      - then: [{log: t2}]
`)
			wantLines(t, got, c.want...)
		})
	}
}

// TestRule14ResolvingWithAPromiseCostsTwoTicks: a handler's return, an async body's return and
// resolve of a native promise cost two more ticks than of a value; of a thenable, one more
// (promise-ticks.cjs).
func TestRule14ResolvingWithAPromiseCostsTwoTicks(t *testing.T) {
	for _, c := range []struct {
		name, steps string
		want        []string
	}{
		{"handler returns a value", `
  - promise: 0
    chain:
      - then: [{return: 1}]
      - then: [{log: next}]`, []string{"t1", "next", "t2", "t3", "t4", "t5"}},
		{"handler returns a promise", `
  - promise: 0
    chain:
      - then: [{return: {resolve: 1}}]
      - then: [{log: next}]`, []string{"t1", "t2", "t3", "next", "t4", "t5"}},
		{"handler returns a thenable", `
  - promise: 0
    chain:
      - then: [{return: {thenable: 1}}]
      - then: [{log: next}]`, []string{"t1", "t2", "next", "t3", "t4", "t5"}},
		{"async returns a promise", `
  - async: f
    body: [{return: {resolve: 1}}]
    then: [{log: next}]`, []string{"t1", "t2", "next", "t3", "t4", "t5"}},
		{"resolve with a promise", `
  - promise: {new: [{resolve: {resolve: 1}}]}
    chain: [{then: [{log: next}]}]`, []string{"t1", "t2", "next", "t3", "t4", "t5"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantLines(t, runSource(t, "main:"+c.steps+ruler), c.want...)
		})
	}
}

// TestRule14Combinators: all of a promise and a thenable settles in tick 3, race and any at the
// first item's reaction (promise-combinators.cjs).
func TestRule14Combinators(t *testing.T) {
	got := runSource(t, `
main:
  - promise: {all: [{resolve: 1}, {thenable: 2}]}
    chain: [{then: [{log: "all: ${value}"}]}]
  - promise: {race: [1, {resolve: 2}]}
    chain: [{then: [{log: "race: ${value}"}]}]
  - promise: {any: [{reject: a}, {reject: b}]}
    chain: [{catch: [{log: "any: ${error}"}]}]
`+ruler)
	wantLines(t, got, "t1", "race: 1", "any: All promises were rejected", "t2", "all: 1,2", "t3", "t4", "t5")
}

// TestRule15UnhandledRejectionAfterTheQueues: the report comes once the callback's queues are
// empty, before the next timer; a catch attached within them is in time (unhandled.cjs).
func TestRule15UnhandledRejectionAfterTheQueues(t *testing.T) {
	got := runSource(t, `
unhandledRejection: [{log: "unhandledRejection ${error}"}]
main:
  - timeout: 1
    then:
      - log: "timer A: reject"
      - promise: {reject: from A}
      - {nextTick: ~, then: [{log: "timer A: nextTick"}]}
      - promise: {reject: handled}
        id: h
      - microtask:
        then:
          - promise: {id: h}
            chain: [{catch: [{log: "caught ${error}"}]}]
  - timeout: 1
    then: [{log: timer B}]
`)
	wantLines(t, got, "timer A: reject", "timer A: nextTick", "caught handled", "unhandledRejection from A", "timer B")
}

// TestRule15UnhandledRejectionEndsTheRun: with no listener, status 1 once the queues are empty
// (unhandled.cjs: no listener).
func TestRule15UnhandledRejectionEndsTheRun(t *testing.T) {
	ue, out := runUncaught(t, `
main:
  - promise: {reject: boom}
  - {nextTick: ~, then: [{log: nextTick}]}
  - timeout: 0
    then: [{log: never}]
`)
	if !ue.Rejection || ue.Reason != "boom" || ue.Pos.Line != 3 {
		t.Fatalf("run: %v, want an unhandled rejection of boom at line 3", ue)
	}
	wantLines(t, out, "nextTick")
}

// TestRule15ThrowLeavesItsQueuesToTheNextCallback: what a callback that threw to the
// uncaughtException listener queued runs after the next timer of its list; after the last, at
// once (throw.cjs).
func TestRule15ThrowLeavesItsQueuesToTheNextCallback(t *testing.T) {
	got := runSource(t, `
uncaughtException: [{log: "uncaughtException ${error}"}]
main:
  - timeout: 1
    then:
      - log: timer A
      - {nextTick: ~, then: [{log: "timer A: nextTick"}]}
      - throw: boom A
  - timeout: 1
    then:
      - log: timer B
      - {nextTick: ~, then: [{log: "timer B: nextTick"}]}
      - throw: boom B
  - timeout: 2
    then: [{log: timer 2}]
`)
	wantLines(t, got, "timer A", "uncaughtException boom A", "timer B", "uncaughtException boom B",
		"timer A: nextTick", "timer B: nextTick", "timer 2")
}

// TestRule16FsPromisesReadFileIsFourRequests: on a one-thread pool a CPU job submitted right
// after the readFile runs between its open and its fstat (fs-promises.cjs, part E).
func TestRule16FsPromisesReadFileIsFourRequests(t *testing.T) {
	got := runSource(t, `
threadpool: 1
files: {a.txt: "Hello, world!"}
main:
  - promise: {read: a.txt}
    chain: [{then: [{log: "readFile resolved ${value}"}]}]
  - encrypt: 10
    cost: 5ms
    then: [{log: encrypt callback}]
`)
	wantLines(t, got, "encrypt callback", "readFile resolved Hello, world!")
}

// TestRule16TimersPromisesSettleInTheirCallback: the reactions run before the next timer of
// the phase (timers-promises.cjs, part A).
func TestRule16TimersPromisesSettleInTheirCallback(t *testing.T) {
	got := runSource(t, `
main:
  - promise: {timeout: 5}
    chain:
      - then: [{log: P1 then}, {nextTick: ~, then: [{log: "P1 then: tick"}]}]
      - then: [{log: P1 second then}]
  - timeout: 5
    then: [{log: plain timeout T}]
  - promise: {timeout: 5}
    chain: [{then: [{log: P2 then}]}]
`)
	wantLines(t, got, "P1 then", "P1 second then", "P1 then: tick", "plain timeout T", "P2 then")
}

// TestAsyncFunctionsLeftWaitingLeakNothing: async functions still suspended when a run ends (at
// a promise that never settles, or stopped by a guard) are unwound; no goroutine stays.
func TestAsyncFunctionsLeftWaitingLeakNothing(t *testing.T) {
	never, err := Parse("never.yaml", []byte(`
main:
  - async: waits
    repeat: 100
    body:
      - log: waiting
      - await: {new: []}
      - log: never printed
`))
	if err != nil {
		t.Fatal(err)
	}
	spin, err := Parse("spin.yaml", []byte(`
main:
  - async: spins
    body:
      - await: ~
        repeat: 10000000
`))
	if err != nil {
		t.Fatal(err)
	}
	run := func() {
		var out bytes.Buffer
		if err := never.Run(RunOptions{Out: &out}); err != nil {
			t.Fatal(err)
		}
		if strings.Count(out.String(), "waiting") != 100 || strings.Contains(out.String(), "never") {
			t.Fatalf("ordering:\n%s", out.String())
		}
		if err := spin.Run(RunOptions{Limits: Limits{MaxCallbacks: 1000}}); !errors.Is(err, loop.ErrLimit) {
			t.Fatalf("spin: %v, want the callbacks guard", err)
		}
	}
	run()
	lttest.CheckLeaks(t)
	for range 3 {
		run()
	}
}

// TestRule15EveryRejectionOfABatchIsReported: a handler that an unhandledRejection listener
// attaches to a promise of the same batch does not spare it the report (Node 20.20's
// processPromiseRejections takes the pending rejections whole).
func TestRule15EveryRejectionOfABatchIsReported(t *testing.T) {
	got := runSource(t, `
unhandledRejection:
  - log: "unhandled: ${error}"
  - promise: {id: second}
    chain: [{catch: [{log: "listener caught ${error}"}]}]
main:
  - promise: {reject: first}
  - promise: {reject: second}
    id: second
`)
	wantLines(t, got, "unhandled: first", "unhandled: second", "listener caught second", "listener caught second")
}

// TestRule15AThrowingListenerEndsTheRun: Node.js does not call the uncaughtException listener
// again for what it throws itself; it exits (with status 7).
func TestRule15AThrowingListenerEndsTheRun(t *testing.T) {
	ue, out := runUncaught(t, `
uncaughtException:
  - log: "uncaughtException: ${error}"
  - throw: handler failed
main:
  - throw: a
`)
	if !ue.InListener || ue.Reason != "handler failed" || ue.Pos.Line != 4 {
		t.Fatalf("run: %v, want the listener's throw at line 4", ue)
	}
	wantLines(t, out, "uncaughtException: a")
}

// TestScopeOfAnAsyncStepsHandlers: the names its body binds are not in scope in its then.
func TestScopeOfAnAsyncStepsHandlers(t *testing.T) {
	_, err := Parse("t.yaml", []byte(`
main:
  - async: g
    body:
      - await: inner
        as: v
      - return: outer
    then: [{log: "${v} ${value}"}]
`))
	if err == nil || !strings.Contains(err.Error(), `t.yaml:8:18: ${v}: "v" is not in scope (in scope: value)`) {
		t.Fatalf("got %v, want v out of scope in then", err)
	}
}

// TestRule15ThrowInTheLastImmediate: when the last immediate of a batch throws to the
// listener, the immediates queued during the batch run in the same check phase, and the
// thrower's queues wait for the first of them (processImmediate is called again).
func TestRule15ThrowInTheLastImmediate(t *testing.T) {
	got := runSource(t, `
uncaughtException: [{log: "uncaught: ${error}"}]
files: {a.txt: x}
main:
  - read: a.txt
    then:
      - timeout: 1
        then: [{log: timer 1 from read}]
      - immediate:
        then:
          - log: I1 queues child
          - immediate:
            then: [{log: I1 child immediate}]
      - immediate:
        then:
          - log: I2 throws
          - {nextTick: ~, then: [{log: I2 tick}]}
          - block: 5ms
          - throw: last boom
`)
	wantLines(t, got, "I1 queues child", "I2 throws", "uncaught: last boom", "I1 child immediate", "I2 tick", "timer 1 from read")
}

// TestSourceOperationReadsNamesInScope: the ${...} in the value of an operation's source form
// reads the names around it, not the frame of the promise it settles.
func TestSourceOperationReadsNamesInScope(t *testing.T) {
	got := runSource(t, `
main:
  - async: f
    body:
      - await: {encrypt: 10}
        as: n
      - await: {encrypt: "${n}"}
        as: m
      - log: "fib(${n}) = ${m}"
`)
	wantLines(t, got, "fib(55) = 139583862445")
}
