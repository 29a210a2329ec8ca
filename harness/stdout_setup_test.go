package harness

import "testing"

// The rule 17 tests: Node.js sets process.stdout up on the first console.log, which took 6 to 8
// ms with stdout a pipe (testdata/probes/stdout-setup.cjs); these orders are what Node.js v20
// printed in every run.

// A 6 ms timeout armed in main before the first log is due when the first iteration begins,
// and runs before main's immediate (Node.js: 20 of 20 runs).
func TestRule17TimeoutBeforeTheFirstLogIsDue(t *testing.T) {
	assertOrder(t, `
main:
  - timeout: 6
    then: [{log: timeout}]
  - immediate:
    then: [{log: immediate}]
  - log: main
`, "main", "timeout", "immediate")
}

// A timer armed right after the run's first log, in a callback, starts the set-up's time
// later than one armed in main: a 10 ms timeout armed by a 10 ms one after its log runs after a
// 25 ms one armed in main (Node.js: 20 of 20 runs; with a set-up of 4 ms it would run first).
func TestRule17TimerArmedAfterTheFirstLogStartsLater(t *testing.T) {
	assertOrder(t, `
main:
  - timeout: 10
    then:
      - log: A
      - timeout: 10
        then: [{log: C}]
  - timeout: 25
    then: [{log: B}]
`, "A", "B", "C")
}
