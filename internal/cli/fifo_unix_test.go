//go:build unix

package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNamedPipeRefused gives each command that loads scenarios a named pipe called f.yaml that
// no one writes to: each refuses it at once, naming it, with status 2, instead of waiting
// forever to open it.
func TestNamedPipeRefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "f.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	type outcome struct {
		status int
		out    string
	}
	commands := []string{"run", "test", "check", "explore", "node"}
	done := make(map[string]chan outcome)
	for _, cmd := range commands {
		ch := make(chan outcome, 1)
		done[cmd] = ch
		go func() {
			var out bytes.Buffer
			st := Main([]string{cmd, fifo}, &out, &out)
			ch <- outcome{st, out.String()}
		}()
	}
	guard := time.After(60 * time.Second)
	for _, cmd := range commands {
		select {
		case o := <-done[cmd]:
			if o.status != exitInvalid || !strings.Contains(o.out, fifo) || !strings.Contains(o.out, "not a regular file but a named pipe") {
				t.Errorf("looptest %s f.yaml: status %d, output %q; want %d and %s: not a regular file but a named pipe", cmd, o.status, o.out, exitInvalid, fifo)
			}
		case <-guard:
			t.Fatalf("looptest %s f.yaml still waits after 60 s", cmd)
		}
	}
}
