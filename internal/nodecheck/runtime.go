package nodecheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// A Runtime is a JavaScript runtime that runs a scenario's program: Node.js, Bun, Deno, or any
// other one named on the command line (--runtime node18=/path/to/node).
type Runtime struct {
	Name string   // node, bun, deno, or the name it was given
	Path string   // the executable
	Args []string // before the program's path: ["run", "-A"] for Deno
}

// ErrNoRuntime reports that a runtime cannot be found.
var ErrNoRuntime = errors.New("runtime not found")

// CacheVar names the environment variable of the folder where `looptest runtimes install`
// installs Bun and Deno from the npm registry (npm install --prefix DIR @oven/bun-linux-x64
// @deno/linux-x64-glibc); its default is ~/.cache/looptest/runtimes.
const CacheVar = "LOOPTEST_RUNTIMES"

// A Package is the npm package that carries a runtime's executable (for Linux on x86-64), at the
// version looptest is checked against.
type Package struct {
	Name, Version string
	Executable    string // the executable's path in the cache folder
}

// Packages are the packages of the runtimes that `looptest runtimes install` installs.
var Packages = map[string]Package{
	"bun":  {"@oven/bun-linux-x64", "1.4.5", "node_modules/@oven/bun-linux-x64/bin/bun"},
	"deno": {"@deno/linux-x64-glibc", "2.9.6", "node_modules/@deno/linux-x64-glibc/deno"},
}

// FindRuntime returns the runtime called name, run by the executable at path; with no path, a
// known runtime (node, bun, deno) is looked up in PATH, then in the runtimes' cache folder.
// Node.js must be MinMajor or later. A runtime that cannot be found is an error wrapping
// ErrNoRuntime (and ErrNoNode for node).
func FindRuntime(ctx context.Context, name, path string) (Runtime, error) {
	if path == "" {
		switch name {
		case "node":
			p, err := Find(ctx, "")
			if err != nil {
				return Runtime{}, fmt.Errorf("%w: %w", ErrNoRuntime, err)
			}
			return Runtime{Name: name, Path: p}, nil
		case "bun", "deno":
			p, err := exec.LookPath(name)
			if err != nil {
				p = filepath.Join(CacheDir(), Packages[name].Executable)
				if _, serr := os.Stat(p); serr != nil {
					return Runtime{}, fmt.Errorf("%w: %s is neither in PATH nor at %s (install it with 'looptest runtimes install %s', or name it: --runtime %s=PATH)", ErrNoRuntime, name, p, name, name)
				}
			}
			path = p
		default:
			return Runtime{}, fmt.Errorf("%w: %s is not a runtime looptest knows: name its executable with --runtime %s=PATH", ErrNoRuntime, name, name)
		}
	}
	p, err := exec.LookPath(path)
	if err != nil {
		return Runtime{}, fmt.Errorf("%w: %s: %v", ErrNoRuntime, name, err)
	}
	if p, err = filepath.Abs(p); err != nil { // the program runs in a directory of its own
		return Runtime{}, err
	}
	rt := Runtime{Name: name, Path: p}
	if strings.Contains(filepath.Base(p), "deno") {
		rt.Args = []string{"run", "-A"}
	}
	return rt, nil
}

// CacheDir is the folder the runtimes are installed in: $LOOPTEST_RUNTIMES, or
// ~/.cache/looptest/runtimes.
func CacheDir() string {
	if d := os.Getenv(CacheVar); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "looptest", "runtimes")
}
