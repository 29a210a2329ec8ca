package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/looptest/looptest/internal/nodecheck"
)

// runRuntimes lists the JavaScript runtimes that compat and diff run scenarios with, and where
// each is found; runtimes install NAME... installs Bun and Deno from the npm registry.
func runRuntimes(c *cli, args []string) int {
	fs := c.flags("runtimes")
	if st := c.parse(fs, args); st >= 0 {
		return st
	}
	switch {
	case fs.NArg() == 0:
		status := exitOK
		for _, name := range []string{"node", "bun", "deno"} {
			rt, err := c.runtime(name)
			if err != nil {
				fmt.Fprintf(c.stdout, "%-5s not found: %v\n", name, err)
				status = exitFailed
				continue
			}
			fmt.Fprintf(c.stdout, "%-5s %s\n", name, rt.Path)
		}
		return status
	case fs.Arg(0) == "install" && fs.NArg() > 1:
		return c.installRuntimes(fs.Args()[1:])
	}
	fmt.Fprintln(c.stderr, "usage: looptest runtimes [install bun|deno...]")
	return exitInvalid
}

// installRuntimes installs the named runtimes' npm packages (nodecheck.Packages) into the
// runtimes' folder, with npm install --prefix, leaving out those there at their version already.
func (c *cli) installRuntimes(names []string) int {
	var specs []string
	for _, name := range names {
		pkg, ok := nodecheck.Packages[name]
		if !ok {
			known := slices.Sorted(maps.Keys(nodecheck.Packages))
			how := ""
			if name == "node" {
				how = ": install Node.js from your system's packages (apt-get install nodejs) or nodejs.org"
			}
			fmt.Fprintf(c.stderr, "looptest runtimes: cannot install %q%s; it installs %s\n", name, how, strings.Join(known, " and "))
			return exitInvalid
		}
		dir := nodecheck.CacheDir()
		if installedVersion(dir, pkg) == pkg.Version {
			fmt.Fprintf(c.stdout, "%s %s is installed: %s\n", name, pkg.Version, filepath.Join(dir, pkg.Executable))
			continue
		}
		specs = append(specs, pkg.Name+"@"+pkg.Version)
	}
	if len(specs) == 0 {
		return exitOK
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		fmt.Fprintf(c.stderr, "looptest runtimes: the packages it installs are for Linux on x86-64, not %s/%s: install Bun and Deno as their sites say, and name them with --runtime NAME=PATH if they are not in PATH\n", runtime.GOOS, runtime.GOARCH)
		return exitFailed
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		fmt.Fprintln(c.stderr, "looptest runtimes: npm is not installed: it comes with Node.js (apt-get install npm, or nodejs.org); or install Bun and Deno as their sites say, and name them with --runtime NAME=PATH if they are not in PATH")
		return exitFailed
	}
	dir := nodecheck.CacheDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-c.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	cmd := exec.CommandContext(ctx, npm, append([]string{"install", "--no-audit", "--no-fund", "--silent", "--prefix", dir}, specs...)...)
	cmd.Stdout, cmd.Stderr = c.stderr, c.stderr
	fmt.Fprintf(c.stderr, "npm install --prefix %s %s\n", dir, strings.Join(specs, " "))
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(c.stderr, "looptest runtimes: npm install: %v\n", err)
		return exitFailed
	}
	status := exitOK
	for _, name := range names {
		pkg := nodecheck.Packages[name]
		exe := filepath.Join(dir, pkg.Executable)
		if _, err := os.Stat(exe); err != nil || installedVersion(dir, pkg) != pkg.Version {
			fmt.Fprintf(c.stderr, "looptest runtimes: npm ran, but %s %s is not at %s\n", name, pkg.Version, exe)
			status = exitFailed
			continue
		}
		fmt.Fprintf(c.stdout, "%s %s is installed: %s\n", name, pkg.Version, exe)
	}
	return status
}

// installedVersion returns the version of pkg in dir whose executable is there, or "".
func installedVersion(dir string, pkg nodecheck.Package) string {
	if _, err := os.Stat(filepath.Join(dir, pkg.Executable)); err != nil {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", pkg.Name, "package.json"))
	if err != nil {
		return ""
	}
	var meta struct{ Version string }
	if json.Unmarshal(b, &meta) != nil {
		return ""
	}
	return meta.Version
}
