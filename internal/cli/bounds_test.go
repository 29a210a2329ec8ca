package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// boundedWriter fails its test once more than max bytes are written to it: a command that
// writes without bound stops there instead of filling the memory.
type boundedWriter struct {
	t   *testing.T
	max int
	bytes.Buffer
}

func (w *boundedWriter) Write(p []byte) (int, error) {
	if w.Len()+len(p) > w.max {
		w.t.Fatalf("wrote more than %d bytes", w.max)
	}
	return w.Buffer.Write(p)
}

// TestNumbersAreBounded gives numeric flags values past what they can mean: each is a usage
// error (status 2) with a message naming the flag, not a panic, an overflow into another
// value, or output without bound.
func TestNumbersAreBounded(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "s.yaml")
	left, right := filepath.Join(dir, "left.txt"), filepath.Join(dir, "right.txt")
	for name, content := range map[string]string{file: "main:\n  - log: a\n", left: "a\nb\nc\n", right: "a\nc\nb\n"} {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"test", "--shard", "1/4294967296", file}, "--shard must be K/N with 1 <= K <= N <= 65536"},
		{[]string{"test", "--shard", "1/65537", file}, "--shard must be K/N with 1 <= K <= N <= 65536"},
		{[]string{"run", "--max-memory", "17592186044417", file}, "--max-memory must be at most 16777216 MiB"},
		{[]string{"test", "--max-memory", "16777217", file}, "--max-memory must be at most 16777216 MiB"},
		{[]string{"diff", "--width", "9223372036854775807", left, right}, "--width must be from 0 to 1000"},
		{[]string{"diff", "--width", "2147483647", left, right}, "--width must be from 0 to 1000"},
		{[]string{"diff", "--width", "1001", left, right}, "--width must be from 0 to 1000"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:3], " "), func(t *testing.T) {
			stdout := &boundedWriter{t: t, max: 1 << 20}
			var stderr bytes.Buffer
			if st := Main(tt.args, stdout, &stderr); st != exitInvalid || !strings.Contains(stderr.String(), tt.msg) {
				t.Errorf("status %d, stderr %q; want %d and %q", st, stderr.String(), exitInvalid, tt.msg)
			}
		})
	}
	// The bounds themselves are allowed.
	for _, args := range [][]string{
		{"test", "--shard", "65536/65536", file},
		{"diff", "--width", "1000", left, right},
	} {
		var stdout, stderr bytes.Buffer
		if st := Main(args, &stdout, &stderr); st == exitInvalid {
			t.Errorf("%v: status %d, stderr %q", args, st, stderr.String())
		}
	}
}
