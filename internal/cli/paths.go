package cli

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// scenarioFiles expands the operands of test and check into scenario files, sorted within each
// operand: a file stands for itself, a directory for the .yaml files in it, and DIR/... for
// those in the whole tree below DIR (directories whose name starts with . or _, and testdata,
// left out, as go test leaves them).
func scenarioFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		if dir, ok := strings.CutSuffix(p, "/..."); ok || p == "..." {
			if !ok {
				dir = "."
			}
			found, err := walkScenarios(dir)
			if err != nil {
				return nil, err
			}
			if len(found) == 0 {
				return nil, fmt.Errorf("%s: no .yaml scenario files in the tree", p)
			}
			files = append(files, found...)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.yaml"))
		if err != nil {
			return nil, err
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("%s: no .yaml scenario files", p)
		}
		slices.Sort(matches)
		files = append(files, matches...)
	}
	return files, nil
}

// walkScenarios returns the .yaml files of the tree below dir, sorted.
func walkScenarios(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".yaml") {
			files = append(files, path)
		}
		return nil
	})
	slices.Sort(files)
	return files, err
}

// pruneOrWarn warns of the goldens beside the files that no scenario has (orphanGoldens), or,
// with prune, removes them. With a shard, the other shards' scenarios still count: files are
// all of them. It reports whether every golden it was to remove is gone.
func (c *cli) pruneOrWarn(files []string, prune bool) bool {
	ok := true
	for _, g := range orphanGoldens(files) {
		if prune {
			if err := os.Remove(g); err != nil {
				fmt.Fprintf(c.stderr, "looptest test: %v\n", err)
				ok = false
				continue
			}
			fmt.Fprintf(c.stderr, "pruned %s: no scenario has it\n", g)
			continue
		}
		fmt.Fprintf(c.stderr, "warning: %s has no scenario (%s): remove it, or run test -update --prune\n", g, filepath.Base(strings.TrimSuffix(g, ".golden")+".yaml"))
	}
	return ok
}

// orphanGoldens returns the .golden files beside the given scenarios that no scenario among
// them has: goldens left behind by a renamed or deleted scenario.
func orphanGoldens(files []string) []string {
	has := map[string]bool{}
	dirs := map[string]bool{}
	for _, f := range files {
		has[GoldenPath(f)] = true
		dirs[filepath.Dir(f)] = true
	}
	var orphans []string
	for dir := range dirs {
		goldens, _ := filepath.Glob(filepath.Join(dir, "*.golden"))
		for _, g := range goldens {
			if !has[g] {
				if _, err := os.Stat(strings.TrimSuffix(g, ".golden") + ".yaml"); errors.Is(err, fs.ErrNotExist) {
					orphans = append(orphans, g)
				}
			}
		}
	}
	slices.Sort(orphans)
	return orphans
}

// A shard is the K-th of N parts of a suite (--shard K/N): a file is in it by a hash of its
// path, so that every file is in exactly one part and adding files moves no other file, as
// Jest and Playwright shard.
type shard struct{ k, n int }

// maxShards bounds N: the hash that places a file counts 32 bits.
const maxShards = 1 << 16

func parseShard(s string) (shard, error) {
	k, n, ok := strings.Cut(s, "/")
	ki, err1 := strconv.Atoi(k)
	ni, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || ni < 1 || ki < 1 || ki > ni || ni > maxShards {
		return shard{}, fmt.Errorf("--shard must be K/N with 1 <= K <= N <= %d, such as 2/4; got %q", maxShards, s)
	}
	return shard{ki, ni}, nil
}

// has reports whether file is in the shard.
func (sh shard) has(file string) bool {
	if sh.n <= 1 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(filepath.ToSlash(filepath.Clean(file))))
	return int(h.Sum32()%uint32(sh.n)) == sh.k-1
}
