package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/looptest/looptest/internal/nodejs"
)

// TestRunStaggeredRepeat staggers a repeat's operations with ${i} in their keys. The first
// request sets the client up (3ms, rule 18), so the rest of main runs at 3ms. The three requests
// are written in the poll after main's connect ticks (rule 11; the first takes 1ms), at 4ms, and
// answered 0, 11 and 22ms later plus the round trip (2ms), at 6, 17 and 28ms; their timeouts are
// 20, 21 and 22ms from the write, so the last fails at 26ms, before its answer. The three
// encrypts start together at 3ms on the four workers and hold them 5, 15 and 25ms (done at 8,
// 18 and 28ms). So the two repeats interleave.
func TestRunStaggeredRepeat(t *testing.T) {
	got, err := runText(t, `
main:
  - http: /r${i}
    repeat: 3
    delay: ${i}${i}ms
    timeout: 2${i}ms
    respond: {status: "20${i}", body: "r${i}"}
    as: res
    then:
      - log: "http ${i}: ${res.status} ${res.body}"
    error:
      - log: "http ${i}: ${error}"
  - encrypt: ${i}
    repeat: 3
    cost: ${i}5ms
    then:
      - log: "encrypt ${i}"
`)
	if err != nil {
		t.Fatal(err)
	}
	want := `http 0: 200 r0
encrypt 0
http 1: 201 r1
encrypt 1
http 2: timeout: no response within 22ms
encrypt 2
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestRunStaggeredTimers staggers a repeat's timers with ${i} in their values, as setTimeout(f,
// i * 10) in a loop: timeouts of 0 (1), 10 and 20ms, intervals of 5 and 15ms run twice, and a
// timers/promises timeout of 7 and 17ms awaited. The first log, at 1ms, takes 6ms (rule 17);
// at 10ms the 10ms list, made in main, goes before the 5ms list, keyed anew at 5ms (rule 6).
func TestRunStaggeredTimers(t *testing.T) {
	got, err := runText(t, `
main:
  - timeout: ${i}0
    repeat: 3
    then: [{log: "timeout ${i}0"}]
  - interval: "${i}5ms"
    repeat: 2
    times: 2
    then: [{log: "interval ${i}5"}]
  - async: f
    repeat: 2
    body:
      - await: {timeout: "${i}7"}
      - log: "awaited ${i}7"
`)
	if err != nil {
		t.Fatal(err)
	}
	want := "timeout 00\ninterval 05\nawaited 07\ntimeout 10\ninterval 05\ninterval 15\nawaited 17\ntimeout 20\ninterval 15\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// varyingFailures are steps whose keys read as no value when they run: each ends the run at
// its step, whatever its error steps, and nothing prints after (the http of the read's callback
// runs after main's last line).
var varyingFailures = []struct{ name, steps, want string }{
	{"cost not a duration", `
  - encrypt: 1
    repeat: 2
    cost: ${i}x
    error: []`, `t.yaml:6:5: encrypt failed: cost "0x": expected a duration: an integer number of milliseconds, or Go's syntax such as 500ms or 1.5s`},
	{"negative cost", `
  - read: a.txt
    repeat: 2
    cost: -1${i}ms`, `t.yaml:6:5: read failed: cost "-10ms": must not be negative`},
	{"integer cost over 24h", `
  - encrypt: 1
    repeat: 2
    cost: 9000000${i}`, `t.yaml:6:5: encrypt failed: cost "90000000": must be at most 24h`},
	{"delay over 24h", `
  - http: /x
    repeat: 2
    delay: 24h${i}s`, `t.yaml:6:5: http failed: delay "24h1s": must be at most 24h`},
	{"zero timeout", `
  - http: /x
    repeat: 2
    timeout: ${i}`, `t.yaml:6:5: http failed: timeout "0": must be more than 0`},
	{"status out of range", `
  - http: /x
    repeat: 2
    respond: {status: "9${i}"}`, `t.yaml:6:5: http failed: status "90": expected an integer from 100 to 599`},
	{"status not an integer", `
  - http: /x
    repeat: 2
    respond: {status: "${i}.5"}`, `t.yaml:6:5: http failed: status "0.5": expected an integer from 100 to 599`},
	{"empty body to cut", `
  - read: empty.txt
    as: text
    then:
      - http: /x
        respond: {body: "${text}", fault: close-mid-body}`, `t.yaml:9:9: http failed: body "": fault close-mid-body sends half the body, so it must not be empty`},
	{"a timer's delay not a duration", `
  - timeout: ${i}x
    repeat: 2`, `t.yaml:6:5: timeout failed: timeout "0x": expected a duration: an integer number of milliseconds, or Go's syntax such as 500ms or 1.5s`},
	{"the operation of a source", `
  - promise: {read: a.txt, cost: "x${i}"}
    repeat: 2`, `t.yaml:6:15: read failed: cost "x0": expected a duration: an integer number of milliseconds, or Go's syntax such as 500ms or 1.5s`},
}

const varyingFiles = `files:
  a.txt: abc
  empty.txt: ""
main:
  - log: before`

// TestRunVaryingFailures checks that a key whose ${...} reads as no value ends the run at its
// step, and that the Node.js program fails alike, with looptest's message.
func TestRunVaryingFailures(t *testing.T) {
	node, _ := exec.LookPath("node")
	for _, c := range varyingFailures {
		t.Run(c.name, func(t *testing.T) {
			src := varyingFiles + c.steps + "\n  - log: after\n"
			s, err := Parse("t.yaml", []byte(src))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var out bytes.Buffer
			err = s.Run(RunOptions{Out: &out})
			var se *StepError
			if !errors.As(err, &se) || err.Error() != c.want {
				t.Fatalf("err = %v, want a StepError %q", err, c.want)
			}
			printed := "before\n"
			if strings.Contains(c.steps, "then:") {
				printed += "after\n"
			}
			if out.String() != printed {
				t.Errorf("ordering = %q, want %q", out.String(), printed)
			}
			if node == "" {
				return
			}
			// Nothing listens at port 1: a request that goes on after the failure fails silenced.
			stdout := runFailingProgram(t, node, s, err, "LOOPTEST_DELAY_ADDR=127.0.0.1:1")
			if string(stdout) != printed {
				t.Errorf("node printed %q, want %q", stdout, printed)
			}
		})
	}
}

// TestDurationTextAgreesWithNode reads durations with parseDurationText and with the Node.js
// runtime's durationNs, and writes them with time.Duration.String and its goDuration: the
// program must read ${...} as looptest does, and word a timeout alike.
func TestDurationTextAgreesWithNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	texts := []string{
		"0", "-0", "+0", "00", "10", "+10", "-10", "0010", "86400000", "86400001", "99999999999999999999",
		"0ms", "10ms", "1.5ms", "1.5", ".5s", "5.s", ".s", "1h2m3.5s", "1h30m", "24h", "24h0m0.000000001s",
		"1us", "1µs", "1μs", "999ns", "1.0000000001ms", "0.3333333333333s", "2.5h", "1e3ms", "ms", "",
		"-1ms", "-0ms", "+5s", "5 s", "5s ", "1.h", "1d", "3m.5s", "9223372036854775807ns", "9223372036854775808ns",
		"1.123456789123456789123s", "0x10", "12.50ms", "1m59.999999999s", "36h", "100000000000000000000h",
		"toString", "1toString",
	}
	quoted, _ := json.Marshal(texts)
	prog := nodejs.Runtime + "\nfor (const t of " + string(quoted) + ") {\n" +
		"  const ns = durationNs(t);\n" +
		"  console.log(typeof ns === 'string' ? ns : String(ns) + ' ' + goDuration(ns));\n}\n"
	out, err := exec.Command(node, "-e", prog).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(texts) {
		t.Fatalf("node printed %d lines for %d texts:\n%s", len(lines), len(texts), out)
	}
	for i, text := range texts {
		d, problem := parseDurationText(text)
		want := problem
		if problem == "" {
			want = fmt.Sprintf("%d %s", d.Nanoseconds(), d)
		}
		if lines[i] != want {
			t.Errorf("%q: node says %q, looptest %q", text, lines[i], want)
		}
	}
	if d, _ := parseDurationText("1h30m"); d != 90*time.Minute {
		t.Errorf("1h30m = %v", d)
	}
}

// FuzzDurationText checks that any text read as a duration at run time either is one, from 0 to
// 24h, or says what is wrong with it.
func FuzzDurationText(f *testing.F) {
	for _, s := range []string{"", "0", "10", "-1", "1.5ms", "24h", "24h1ns", "99999999999999999999", "1h2m3s", ".5s", "5."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, problem := parseDurationText(s)
		switch {
		case problem != "" && d != 0:
			t.Fatalf("%q: %v with the problem %q", s, d, problem)
		case problem == "" && (d < 0 || d > maxDuration):
			t.Fatalf("%q: %v, out of 0..24h", s, d)
		}
	})
}
