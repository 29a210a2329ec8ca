package harness

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/looptest/looptest/internal/yamlpos"
	"gopkg.in/yaml.v3"
)

// A Scenario is a loaded and checked scenario file, ready to run. It never changes once loaded:
// runs, concurrent ones too, share it, and what differs from run to run is in RunOptions.
type Scenario struct {
	File        string // the path it was loaded from
	Name        string // its name, by default the file name without .yaml
	Description string
	Clock       string // "virtual" or "real"
	Threadpool  int    // pool size, 1..1024
	Files       []File // written into the sandbox before main runs
	// Tight says the file's header has a `# timing: tight` line: its ordering hinges on gaps
	// under 20 ms, so a real clock or Node.js may order it otherwise.
	Tight bool
	// KnownDifferences are the `# differs: RUNTIME (why)` lines among the comment lines that
	// open the file: runtimes known to order it otherwise than Node.js, and why.
	KnownDifferences map[string]string
	// Warnings are the patterns in the file that Node.js orders either way, whatever the
	// timings (see Warning).
	Warnings []*Warning

	// Expect, if not nil, is how the run is expected to end: with an uncaught exception or an
	// unhandled rejection, as the file's expect key says.
	Expect *Expect

	main    []*step
	mainPos Pos // where the main key is
	// The top-level unhandledRejection and uncaughtException steps, and their ${error}.
	onRejection, onException           []*step
	hasRejection, hasException         bool
	rejectionB, exceptionB             *binding
	rejectionProgram, exceptionProgram action
	ids                                []string // id names, indexed by step.idIndex
	program                            action   // main, compiled once: runs share it and never write to it
	slots                              int      // the callback slots the program uses
}

// A File is one entry of a scenario's files: a path relative to the sandbox and its content.
type File struct {
	Path    string
	Content string
}

// Limits on the scenario format.
const (
	maxThreadpool = 1024
	maxRepeat     = 10_000_000
	maxEncrypt    = 92 // fibonacci(92) is the largest that fits in an int64
	// maxNesting bounds how deep steps nest (then, error and closed inside each other), so that
	// checking names in scope stays cheap, whatever the file.
	maxNesting = 100
	// maxName and maxPath bound the paths of files and reads, so that every one the loader
	// accepts can be made in the sandbox: NAME_MAX, and PATH_MAX less room for the sandbox's own.
	maxName = 255
	maxPath = 3072
)

// Load reads and checks the scenario file at path. Its error is an ErrorList when the file has
// problems, each at its FILE:LINE:COL, and an *fs.PathError when it cannot be read, such as one
// that is not a regular file: a named pipe, whose opening would wait for a writer, a device or
// a directory.
func Load(path string) (*Scenario, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: path, Err: notRegular(info.Mode())}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Read one byte past the limit, no more: a huge file is refused before it is parsed.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// notRegular says what a file that is not a regular one is.
func notRegular(m fs.FileMode) error {
	kind := "not a regular file"
	switch {
	case m.IsDir():
		kind = "is a directory"
	case m&fs.ModeNamedPipe != 0:
		kind += " but a named pipe"
	case m&fs.ModeSocket != 0:
		kind += " but a socket"
	case m&fs.ModeDevice != 0:
		kind += " but a device"
	}
	return errors.New(kind)
}

// MaxFileSize bounds a scenario file: a larger one is refused before it is parsed, whose
// node tree would take tens of times its size.
const MaxFileSize = 16 << 20

// Parse checks a scenario file's content; file names it in errors.
func Parse(file string, data []byte) (*Scenario, error) {
	p := &problems{file: file}
	s := &Scenario{File: file, Clock: "virtual", Threadpool: 4,
		Name: strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))}
	s.Tight, s.KnownDifferences = directives(data)
	root := parseYAML(p, data)
	if root != nil {
		decodeScenario(p, s, root)
		check(p, s)
		s.Warnings = warnRaces(s.main)
	}
	if err := p.list.err(); err != nil {
		return nil, err
	}
	// Compile once: the program is immutable, so runs, concurrent ones too, share it.
	c := newCompiler()
	s.program = c.fnBody(nil, s.main)
	if s.hasRejection {
		s.rejectionProgram = c.with(s.rejectionB).fnBody(nil, s.onRejection)
	}
	if s.hasException {
		s.exceptionProgram = c.with(s.exceptionB).fnBody(nil, s.onException)
	}
	s.slots = *c.slots
	return s, nil
}

var (
	tightLine   = regexp.MustCompile(`^#\s*timing:\s*tight\b`)
	differsLine = regexp.MustCompile(`^#\s*differs:\s*(\S+)\s*(?:\((.*)\))?`)
)

// directives reads the comment lines that open the file: whether one is `# timing: tight`, and
// the `# differs: RUNTIME (why)` lines, by runtime.
func directives(data []byte) (tight bool, differs map[string]string) {
	for line := range bytes.Lines(data) {
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' {
			break
		}
		if tightLine.Match(line) {
			tight = true
		}
		if m := differsLine.FindSubmatch(line); m != nil {
			if differs == nil {
				differs = map[string]string{}
			}
			differs[string(m[1])] = cmp.Or(string(m[2]), "recorded")
		}
	}
	return tight, differs
}

// parseYAML decodes data into a node tree, or reports why it cannot.
func parseYAML(p *problems, data []byte) *yaml.Node {
	if len(data) > MaxFileSize {
		p.list = append(p.list, &Error{Pos{p.file, 1, 1}, fmt.Sprintf("the file is larger than %d MiB, the most a scenario file may be", MaxFileSize>>20)})
		return nil
	}
	if e := yamlpos.Text(data); e != nil {
		p.list = append(p.list, &Error{Pos{p.file, e.Line, e.Col}, e.Msg})
		return nil
	}
	doc, extra, err := yamlpos.Decode(data)
	switch {
	case errors.Is(err, io.EOF):
		p.list = append(p.list, &Error{Pos{p.file, 1, 1}, "empty file: expected a scenario, a mapping with at least a main key"})
		return nil
	case err != nil:
		e := yamlpos.Syntax(data, err)
		p.list = append(p.list, &Error{Pos{p.file, e.Line, e.Col}, e.Msg})
		return nil
	}
	if extra != nil {
		p.at(extra, "a scenario file holds one YAML document; this is a second one")
	}
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" && root.Value == "" {
		// A document with nothing in it ("---" alone): its empty value sits past the end.
		p.list = append(p.list, &Error{p.pos(doc), "empty file: expected a scenario, a mapping with at least a main key"})
		return nil
	}
	reportAliases(p, root)
	reportControls(p, root)
	if root.Kind != yaml.MappingNode {
		p.at(root, "expected a scenario, a mapping with at least a main key; got %s", describe(root))
		return nil
	}
	return root
}

// reportControls reports the scalars that hold a control character written as an escape
// ("\x1b", "\0"): the same rule as for one written raw, which yamlpos.Text refuses, so that
// no control character reaches an ordering or a golden. Tab, line feed and carriage return
// are text.
func reportControls(p *problems, root *yaml.Node) {
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		stack = append(stack, n.Content...)
		if n.Kind != yaml.ScalarNode {
			continue
		}
		for _, r := range n.Value {
			if isControl(r) {
				p.at(n, "the control character %U is not allowed in a scenario file (here written as an escape)", r)
				break
			}
		}
	}
}

func isControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r >= 0x7f && r <= 0x9f && r != 0x85 // NEL is text to YAML
}

// reportAliases reports the aliases (*NAME) in the tree, each name once, where it is first used.
// Scenarios do not support them: an alias would let a few lines stand for an exponential number
// of steps. The decoder then passes over them in silence (see problems.at).
func reportAliases(p *problems, root *yaml.Node) {
	first := map[string]*yaml.Node{}
	uses := map[string]int{}
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Kind == yaml.AliasNode {
			if f := first[n.Value]; f == nil || n.Line < f.Line || n.Line == f.Line && n.Column < f.Column {
				first[n.Value] = n
			}
			uses[n.Value]++
			continue
		}
		stack = append(stack, n.Content...)
	}
	for name, n := range first {
		more := ""
		if uses[name] > 1 {
			more = fmt.Sprintf(" (used %d times)", uses[name])
		}
		p.list = append(p.list, &Error{p.pos(n), fmt.Sprintf("alias *%s%s: scenarios do not support YAML aliases; write the value out", name, more)})
	}
}

// decodeScenario reads the top-level keys.
func decodeScenario(p *problems, s *Scenario, root *yaml.Node) {
	var main *yaml.Node
	for _, kv := range pairs(p, root) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "name":
			if str, ok := scalarString(p, v, "name"); ok {
				s.Name = str
			}
		case "description":
			if str, ok := scalarString(p, v, "description"); ok {
				s.Description = str
			}
		case "clock":
			switch v.Value {
			case "virtual", "real":
				if v.Kind == yaml.ScalarNode {
					s.Clock = v.Value
					break
				}
				fallthrough
			default:
				p.at(v, "clock must be virtual or real; got %s", describe(v))
			}
		case "threadpool":
			if n, ok := intValue(p, v, "threadpool", 1, maxThreadpool); ok {
				s.Threadpool = n
			}
		case "files":
			s.Files = decodeFiles(p, v)
		case "main":
			main, s.mainPos = v, p.pos(k)
		case "unhandledRejection":
			s.onRejection, s.hasRejection = decodeSteps(p, v, k.Value), true
		case "uncaughtException":
			s.onException, s.hasException = decodeSteps(p, v, k.Value), true
		case "expect":
			s.Expect = decodeExpect(p, v)
		default:
			p.at(k, "unknown top-level key %q%s: expected one of %s", k.Value, suggest(k.Value, topKeys), strings.Join(topKeys, ", "))
		}
	}
	if main == nil {
		p.at(root, "missing main: the scenario's steps")
		return
	}
	s.main = decodeSteps(p, main, "main")
}

// topKeys are the keys a scenario file takes.
var topKeys = []string{"name", "description", "clock", "threadpool", "files", "main", "unhandledRejection", "uncaughtException", "expect"}

// An Expect is how a scenario's run is expected to end, when not with success: as Node.js ends
// a process that an uncaught exception or an unhandled rejection stops.
type Expect struct {
	Exit  int    // the exit status: 1
	Error string // the error's message, as Node reports it ("boom" or "Error: boom"), or a part of it
	Pos   Pos    // where the expect key's value is
}

func decodeExpect(p *problems, n *yaml.Node) *Expect {
	if n.Kind != yaml.MappingNode {
		p.at(n, "expect must be a mapping {exit: 1, error: MESSAGE}; got %s", describe(n))
		return nil
	}
	x := &Expect{Pos: p.pos(n)}
	var hasExit, hasError bool
	for _, kv := range pairs(p, n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "exit":
			x.Exit, hasExit = intValue(p, v, "exit", 1, 1)
		case "error":
			x.Error, hasError = scalarString(p, v, "error")
		default:
			p.at(k, "unknown key %q in expect%s: it takes exit and error", k.Value, suggest(k.Value, []string{"exit", "error"}))
		}
	}
	if !hasExit || !hasError {
		p.at(n, "expect needs exit: 1 and error: the message the run ends with")
	}
	return x
}

func decodeFiles(p *problems, n *yaml.Node) []File {
	if n.Kind != yaml.MappingNode {
		p.at(n, "files must be a mapping of paths to contents; got %s", describe(n))
		return nil
	}
	var files []File
	kvs := pairs(p, n)
	isFile := map[string]bool{}
	for _, kv := range kvs {
		isFile[kv[0].Value] = true
	}
	for _, kv := range kvs {
		k, v := kv[0], kv[1]
		if msg := checkRelPath(k.Value); msg != "" {
			p.at(k, "file %q: %s", k.Value, msg)
			continue
		}
		if dir := parentFile(k.Value, isFile); dir != "" {
			p.at(k, "file %q: %s is a file too, so it cannot be a directory", k.Value, dir)
			continue
		}
		content, ok := scalarString(p, v, "the content of "+k.Value)
		if ok {
			files = append(files, File{k.Value, content})
		}
	}
	return files
}

// parentFile returns the first directory on the way to path that isFile says is a file, or "".
func parentFile(path string, isFile map[string]bool) string {
	for i := range len(path) {
		if path[i] == '/' && isFile[path[:i]] {
			return path[:i]
		}
	}
	return ""
}

// checkRelPath says what is wrong with a path that must stay inside the sandbox, or "".
func checkRelPath(p string) string {
	switch {
	case p == "":
		return "the path is empty"
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p):
		return "the path must be relative to the sandbox"
	case strings.ContainsRune(p, '\\') || strings.ContainsRune(p, 0):
		return "the path must use / and no NUL"
	case path.Clean(p) != p || p == ".":
		return "the path must be clean (no ./, //, or trailing /)"
	case p == ".." || strings.HasPrefix(p, "../"):
		return "the path must stay inside the sandbox (no ..)"
	case len(p) > maxPath:
		return fmt.Sprintf("the path is longer than %d bytes", maxPath)
	}
	for name := range strings.SplitSeq(p, "/") {
		if len(name) > maxName {
			return fmt.Sprintf("the path has a name longer than %d bytes, the system's limit", maxName)
		}
	}
	return ""
}

// pairs returns a mapping's key and value nodes, reporting keys that are not plain strings and
// keys given twice.
func pairs(p *problems, m *yaml.Node) [][2]*yaml.Node {
	var out [][2]*yaml.Node
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.at(k, "expected a key; got %s", describe(k))
			continue
		}
		if first := seen[k.Value]; first != nil {
			p.at(k, "key %q is given twice (first at line %d, column %d)", k.Value, first.Line, first.Column)
			continue
		}
		seen[k.Value] = k
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

// describe names what a node is, for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	switch n.Tag {
	case "!!null":
		return "nothing"
	case "!!int":
		return "the integer " + n.Value
	case "!!float":
		return "the number " + n.Value
	case "!!bool":
		return "the boolean " + n.Value
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	return fmt.Sprintf("%q", v)
}

// scalarString returns the text of a scalar (a string, or a number or boolean taken as written).
func scalarString(p *problems, n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.at(n, "%s must be text; got %s", what, describe(n))
		return "", false
	}
	return n.Value, true
}

// intValue returns a scalar integer in [lo, hi].
func intValue(p *problems, n *yaml.Node, what string, lo, hi int) (int, bool) {
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
		p.at(n, "%s must be an integer from %d to %d; got %s", what, lo, hi, describe(n))
		return 0, false
	}
	if v < lo || v > hi {
		p.at(n, "%s must be from %d to %d; got %d", what, lo, hi, v)
		return 0, false
	}
	return v, true
}
