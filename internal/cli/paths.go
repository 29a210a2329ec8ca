package cli

import (
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// quotePathError returns err with the path of an fs.PathError quoted as quoteName quotes a file's
// name.
func quotePathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s %s: %w", pe.Op, quoteName(pe.Path), pe.Err)
	}
	return err
}

// isScenarioFile reports whether a file's name is a scenario's: it ends in .yaml or .yml, in any
// case (C.YAML, d.Yml). Every command that takes scenario paths, and -update --prune, go by it.
func isScenarioFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml":
		return true
	}
	return false
}

// A scenarioFile is a scenario file that an operand stands for: its path, and its name, the
// path relative to the operand's directory without its extension, which -run matches.
type scenarioFile struct {
	path string
	name string
}

// filePaths returns the paths of files.
func filePaths(files []scenarioFile) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.path
	}
	return out
}

// scenarioFiles expands the operands of test, check, explore and compat into scenario files,
// sorted within each operand: a file stands for itself, a directory for the scenario files in it
// (isScenarioFile), and DIR/... for those in the whole tree below DIR (directories whose name
// starts with . or _, and testdata, left out, as go test leaves them). A file whose name is not a
// scenario's is refused, so that the files test runs are the ones whose goldens --prune keeps;
// an operand NAME that does not exist stands for NAME.yaml (or NAME.yml) when that does.
func scenarioFiles(paths []string) ([]scenarioFile, error) {
	files, err := expandPaths(paths)
	return files, quotePathError(err)
}

// scenarioPaths is scenarioFiles, for the commands that need only the paths.
func scenarioPaths(paths []string) ([]string, error) {
	files, err := scenarioFiles(paths)
	return filePaths(files), err
}

// nameIn returns a scenario file's name relative to dir: the path below it, with slashes,
// without its extension.
func nameIn(dir, path string) scenarioFile {
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		rel = filepath.Base(path)
	}
	return scenarioFile{path: path, name: strings.TrimSuffix(filepath.ToSlash(rel), filepath.Ext(rel))}
}

func expandPaths(paths []string) ([]scenarioFile, error) {
	var files []scenarioFile
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
				return nil, fmt.Errorf("%s: no .yaml or .yml scenario files in the tree", quoteName(p))
			}
			for _, f := range found {
				files = append(files, nameIn(dir, f))
			}
			continue
		}
		info, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) && !isScenarioFile(p) {
			// test NAME: the scenario NAME.yaml.
			for _, ext := range []string{".yaml", ".yml"} {
				if i, serr := os.Stat(p + ext); serr == nil && !i.IsDir() {
					p, info, err = p+ext, i, nil
					break
				}
			}
			if err != nil {
				return nil, fmt.Errorf("%s: no such file or directory, nor %s", quoteName(p), quoteName(p+".yaml"))
			}
		}
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			if !isScenarioFile(p) {
				return nil, fmt.Errorf("%s: not a scenario file: its name must end in .yaml or .yml", quoteName(p))
			}
			files = append(files, nameIn(filepath.Dir(p), p))
			continue
		}
		matches, err := scenariosIn(p)
		if err != nil {
			return nil, err
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("%s: no .yaml or .yml scenario files", quoteName(p))
		}
		for _, f := range matches {
			files = append(files, nameIn(p, f))
		}
	}
	return files, nil
}

// A runFilter is -run REGEXP: it selects the scenarios whose name (scenarioFile.name) it
// matches anywhere, as go test -run matches a test's name. A nil one selects every scenario.
type runFilter struct{ re *regexp.Regexp }

func (r *runFilter) match(f scenarioFile) bool { return r == nil || r.re.MatchString(f.name) }

// filter returns the paths of the files r selects.
func (r *runFilter) filter(files []scenarioFile) []string {
	var out []string
	for _, f := range files {
		if r.match(f) {
			out = append(out, f.path)
		}
	}
	return out
}

func (r *runFilter) String() string { return r.re.String() }

// runFlag registers -run on fs.
func runFlag(fs *flag.FlagSet) **runFilter {
	var r *runFilter
	fs.Func("run", "run only the scenarios whose path, relative to the operand's directory and without .yaml, matches `REGEXP` (unanchored: ^b$ is b.yaml alone)", func(v string) error {
		re, err := regexp.Compile(v)
		if err != nil {
			return fmt.Errorf("not a regular expression: %v", err)
		}
		r = &runFilter{re}
		return nil
	})
	return &r
}

// filterRun returns the files that run selects, warning on c.stderr, for the command named,
// when it selects none.
func (c *cli) filterRun(name string, files []scenarioFile, run *runFilter) []string {
	out := run.filter(files)
	if len(out) == 0 && run != nil {
		fmt.Fprintf(c.stderr, "looptest %s: warning: -run %s matches no scenario\n", name, run)
	}
	return out
}

// scenariosIn returns the scenario files in dir, sorted.
func scenariosIn(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && isScenarioFile(e.Name()) {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	return files, nil
}

// walkScenarios returns the scenario files of the tree below dir, sorted.
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
		if !d.IsDir() && isScenarioFile(name) {
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
				fmt.Fprintf(c.stderr, "looptest test: %v\n", quotePathError(err))
				ok = false
				continue
			}
			fmt.Fprintf(c.stderr, "pruned %s: no scenario has it\n", quoteName(g))
			continue
		}
		fmt.Fprintf(c.stderr, "warning: %s has no scenario (%s): remove it, or run test -update --prune\n", quoteName(g), quoteName(filepath.Base(strings.TrimSuffix(g, ".golden")+".yaml")))
	}
	return ok
}

// orphanGoldens returns the .golden files beside the given scenarios that no scenario among
// them has, and that no scenario file beside them (isScenarioFile: NAME.yaml, NAME.yml, NAME.YAML)
// has either: goldens left behind by a renamed or deleted scenario.
func orphanGoldens(files []string) []string {
	has := map[string]bool{}
	dirs := map[string]bool{}
	for _, f := range files {
		has[GoldenPath(f)] = true
		dirs[filepath.Dir(f)] = true
	}
	var orphans []string
	for dir := range dirs {
		entries, _ := os.ReadDir(dir)
		var goldens []string
		for _, e := range entries {
			if name := e.Name(); isScenarioFile(name) {
				has[GoldenPath(filepath.Join(dir, name))] = true
			} else if !e.IsDir() && strings.HasSuffix(name, ".golden") {
				goldens = append(goldens, filepath.Join(dir, name))
			}
		}
		for _, g := range goldens {
			if !has[g] {
				orphans = append(orphans, g)
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
