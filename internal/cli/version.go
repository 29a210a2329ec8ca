package cli

import (
	"fmt"
	"runtime/debug"
	"strings"
)

func runVersion(c *cli, args []string) int {
	fs := c.flags("version")
	if st := c.parse(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(c.stderr, "usage: looptest version")
		return exitInvalid
	}
	fmt.Fprintln(c.stdout, version())
	return exitOK
}

// version says which looptest this is, from the module's build info: its version (or (devel)
// for a build from a checkout), the commit and whether the tree had changes, and the Go version.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "looptest (no build information)"
	}
	v := []string{"looptest", info.Main.Version}
	if v[1] == "" {
		v[1] = "(devel)"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		commit := "commit " + rev[:min(12, len(rev))]
		if modified == "true" {
			commit += ", modified"
		}
		v = append(v, commit)
	}
	return strings.Join(append(v, info.GoVersion), " ")
}
