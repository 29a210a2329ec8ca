package harness

import (
	"strings"
	"testing"
)

// The rule 18 tests: what an HTTP request costs in Node.js decides these orders, which Node.js
// v20 printed in every run (testdata/probes/http-costs.cjs).

// The first request's connect tick makes a 0 ms timeout armed after the request due when the
// first iteration begins: it runs before main's immediate, and the response comes after both
// (Node.js: 30 of 30 runs).
func TestRule18ConnectTickMakesMainsTimeoutDue(t *testing.T) {
	assertOrder(t, `
main:
  - log: start
  - http: /x
    as: res
    then: [{log: "http ${res.status}"}]
  - timeout: 0
    then: [{log: timeout 0}]
  - immediate:
    then: [{log: immediate}]
  - nextTick:
    then: [{log: nextTick}]
`, "start", "nextTick", "timeout 0", "immediate", "http 200")
}

// From an I/O callback, a response the server sends at once comes after timeouts of 0 and 2 ms
// armed with the request (Node.js: 20 of 20 runs).
func TestRule18ResponseAfterShortTimeouts(t *testing.T) {
	assertOrder(t, `
files: {a.txt: hello}
main:
  - read: a.txt
    then:
      - log: read
      - http: /x
        then: [{log: http}]
      - timeout: 0
        then: [{log: timeout 0}]
      - timeout: 2
        then: [{log: timeout 2}]
`, "read", "timeout 0", "timeout 2", "http")
}

// A response cut short at 10 ms comes after a 10 ms timeout armed with the request, and after
// the immediate that timeout queues (Node.js: 20 of 20 runs).
func TestRule18CutResponseAfterTimerOfItsDelay(t *testing.T) {
	assertOrder(t, `
main:
  - log: start
  - http: /x
    delay: 10ms
    respond: {fault: close-mid-body, body: "0123456789"}
    then: [{log: "end?"}]
    error: [{log: "error ${error}"}]
    closed: [{log: closed}]
  - timeout: 10
    then:
      - log: timer 10
      - immediate:
        then: [{log: imm from timer}]
`, "start", "timer 10", "imm from timer", "closed", "error aborted")
}

// The first request's set-up holds main: a 0 ms timeout armed after it comes after a 2 ms one
// armed before it (Node.js: 20 of 20 runs).
func TestRule18SetUpHoldsMain(t *testing.T) {
	assertOrder(t, `
main:
  - log: start
  - timeout: 2
    then: [{log: timeout 2}]
  - http: /x
    then: [{log: http}]
  - timeout: 0
    then: [{log: timeout 0}]
`, "start", "timeout 2", "timeout 0", "http")
}

// Requests answered after one delay come in the order they were made: only the first pays
// for the set-up, and every one for the round trip (Node.js: 20 of 20 runs).
func TestRule18RequestsKeepTheirOrder(t *testing.T) {
	assertOrder(t, `
main:
  - http: /a
    then: [{log: a}]
  - http: /b
    then: [{log: b}]
`, "a", "b")
}

func assertOrder(t *testing.T, src string, want ...string) {
	t.Helper()
	got, err := runText(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(want, "\n") + "\n"; got != w {
		t.Errorf("got:\n%s\nwant:\n%s", got, w)
	}
}
