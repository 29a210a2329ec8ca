package stale

import (
	_ "github.com/looptest/looptest/internal/lttest" // every test binary understands -update

	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestSweep(t *testing.T) {
	dir := t.TempDir()
	// A process that has exited: its id is free (for a while at least).
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true command:", err)
	}
	dead := strconv.Itoa(cmd.Process.Pid)
	names := map[string]bool{ // name → kept
		"looptest-" + dead + "-abc":                       false,
		Name("looptest-") + "mine":                        true,
		"looptest-1-init":                                 true, // pid 1 is alive
		"looptest-notapid-x":                              true,
		"other-" + dead + "-x":                            true,
		".x.golden.tmp" + dead + "-123":                   true, // another prefix
		"looptest-" + strconv.Itoa(os.Getppid()) + "-abc": true,
	}
	for name := range names {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	Sweep(dir, "looptest-")
	for name, kept := range names {
		_, err := os.Stat(filepath.Join(dir, name))
		if (err == nil) != kept {
			t.Errorf("%s: kept %v, want %v", name, err == nil, kept)
		}
	}
}
