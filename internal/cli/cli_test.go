package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/looptest/looptest/internal/lttest" // every test binary understands -update
)

// TestExitStatus pins the exit statuses of the command line: 0 success, 1 a failed run or a
// mismatch, 2 an invalid file or usage, whatever else is in the same run.
func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("ok/good.yaml", "main:\n  - log: good\n")
	write("ok/good.golden", "good\n")
	bad := write("mixed/typo.yaml", "main:\n  - timout: 5\n")
	write("mixed/good.yaml", "main:\n  - log: good\n")
	write("mixed/good.golden", "good\n")
	write("wrong/w.yaml", "main:\n  - log: got\n")
	write("wrong/w.golden", "want\n")
	fails := write("fails.yaml", "main:\n  - read: missing\n")
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"run", good}, exitOK},
		{[]string{"run", fails}, exitFailed},
		{[]string{"run", bad}, exitInvalid},
		{[]string{"run", filepath.Join(dir, "nosuch.yaml")}, exitInvalid},
		{[]string{"run", "--clock", "sundial", good}, exitInvalid},
		{[]string{"check", good}, exitOK},
		{[]string{"check", good, bad}, exitInvalid},
		{[]string{"test", filepath.Join(dir, "ok")}, exitOK},
		{[]string{"test", filepath.Join(dir, "wrong")}, exitFailed},
		{[]string{"test", filepath.Join(dir, "mixed")}, exitInvalid},
		{[]string{"diff", good}, exitOK},
		{[]string{"frobnicate"}, exitInvalid},
		{nil, exitInvalid},
	}
	for _, tt := range tests {
		if got := Main(tt.args, io.Discard, io.Discard); got != tt.want {
			t.Errorf("looptest %v: exit %d, want %d", tt.args, got, tt.want)
		}
	}
}

// TestGuardsInSynopsis checks that the commands that take the runaway guards' flags, as the
// table of commands says, are those whose synopsis shows them.
func TestGuardsInSynopsis(t *testing.T) {
	for _, cmd := range commands {
		if shown := strings.Contains(cmd.args, "[--max-... N]"); shown != cmd.guards {
			t.Errorf("%s: guards is %v, but its synopsis shows [--max-... N]: %v", cmd.name, cmd.guards, shown)
		}
		fs := (&cli{stderr: io.Discard}).flags(cmd.name)
		if (fs.Lookup("max-callbacks") != nil) != cmd.guards {
			t.Errorf("%s: guards is %v, but --max-callbacks is registered: %v", cmd.name, cmd.guards, !cmd.guards)
		}
	}
}
