package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestInstallWithoutNPM: with no npm in PATH, runtimes install fails and says where npm comes
// from.
func TestInstallWithoutNPM(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("LOOPTEST_RUNTIMES", t.TempDir())
	var stdout, stderr bytes.Buffer
	st := Main([]string{"runtimes", "install", "deno"}, &stdout, &stderr)
	if st != exitFailed || !strings.HasPrefix(stderr.String(), "looptest runtimes: npm is not installed: it comes with Node.js") {
		t.Errorf("status %d, stderr:\n%s", st, stderr.String())
	}
}
