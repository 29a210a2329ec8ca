package harness

import (
	"bytes"
	"strings"
	"testing"
)

func runSource(t *testing.T, src string) string {
	t.Helper()
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := s.Run(RunOptions{Out: &out}); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestRule10ReadWaitsBehindACPUJob checks that a read is fs.readFile's four pool requests: on a
// one-thread pool, a CPU job submitted right after the read's open runs before the read's
// fstat, so the read is done after it (testdata/probes/readfile-four-requests.cjs).
func TestRule10ReadWaitsBehindACPUJob(t *testing.T) {
	got := runSource(t, `
threadpool: 1
files: {a.txt: x}
main:
  - read: a.txt
    cost: 0
    then: [{log: read}]
  - encrypt: 1
    cost: 100ms
    then: [{log: encrypt}]
`)
	if got != "encrypt\nread\n" {
		t.Errorf("got %q, want the encrypt before the read", got)
	}
}

// TestRule10ReadTakesFourPolls checks that a read's callback runs in the fourth poll after it
// starts: an immediate that queues itself runs three times before it.
func TestRule10ReadTakesFourPolls(t *testing.T) {
	got := runSource(t, `
files: {a.txt: x}
main:
  - read: a.txt
    cost: 0
    then: [{log: read}]
  - immediate:
    then:
      - log: immediate 1
      - immediate:
        then:
          - log: immediate 2
          - immediate:
            then:
              - log: immediate 3
              - immediate:
                then: [{log: immediate 4}]
`)
	if want := "immediate 1\nimmediate 2\nimmediate 3\nread\nimmediate 4\n"; got != want {
		t.Errorf("got:\n%swant:\n%s", got, want)
	}
}

// TestRule10ReadTakesARequestPer512KiB: a file of 600 KiB takes two read requests, so its
// callback comes one iteration after a small file's (lib/fs.js kReadFileBufferLength).
func TestRule10ReadTakesARequestPer512KiB(t *testing.T) {
	got := runSource(t, `
files: {big.txt: "`+strings.Repeat("x", 600<<10)+`", small.txt: x}
main:
  - read: big.txt
    cost: 0
    as: t
    then: [{log: "big ${t.len}"}]
  - read: small.txt
    cost: 0
    then: [{log: small}]
`)
	if want := "small\nbig 614400\n"; got != want {
		t.Errorf("got:\n%swant:\n%s", got, want)
	}
}
