package harness

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// yamlls is a client of yaml-language-server, the server behind the YAML support of VS Code,
// Neovim and Helix, driven over stdio as an editor drives it: it opens documents and collects
// the diagnostics the server publishes for them.
type yamlls struct {
	t        *testing.T
	settings map[string]any
	cmd      *exec.Cmd
	in       io.WriteCloser
	mu       sync.Mutex
	nextID   int
	wrote    sync.Mutex
	calls    map[int]chan json.RawMessage
	diags    map[string]chan []lspDiagnostic
	exited   chan struct{}
	stderr   lockedBuffer
}

// lockedBuffer is the server's stderr, written as it runs and read when a test fails.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type lspDiagnostic struct {
	Range struct {
		Start struct{ Line, Character int }
	}
	Message string
}

type lspMessage struct {
	ID     *json.RawMessage `json:"id,omitempty"`
	Method string           `json:"method,omitempty"`
	Params json.RawMessage  `json:"params,omitempty"`
	Result json.RawMessage  `json:"result,omitempty"`
	Error  json.RawMessage  `json:"error,omitempty"`
}

// yamllsEnv names the folder yaml-language-server is installed in (npm install --prefix DIR);
// when it is set, a server missing from it fails the test instead of skipping it, as in CI.
const yamllsEnv = "LOOPTEST_YAMLLS"

// startYAMLLS starts yaml-language-server, from $LOOPTEST_YAMLLS or else from
// ~/.cache/looptest/yamlls, and initializes it with workspace root root and the setting
// yaml.schemas (schema → file patterns), as VS Code sends them. It skips the test when
// there is no node or no server, unless LOOPTEST_YAMLLS is set.
func startYAMLLS(t *testing.T, root string, schemas map[string]any) *yamlls {
	t.Helper()
	dir, required := os.LookupEnv(yamllsEnv)
	if !required {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "looptest", "yamlls")
	}
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...) + "; install it with npm install --prefix " + dir + " yaml-language-server@1.25.0 (.ci/run does)"
		if required {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("no node on PATH")
	}
	server := filepath.Join(dir, "node_modules", "yaml-language-server", "bin", "yaml-language-server")
	if _, err := os.Stat(server); err != nil {
		missing("no yaml-language-server: %v", err)
	}
	c := &yamlls{t: t, settings: yamllsSettings(schemas), calls: map[int]chan json.RawMessage{}, diags: map[string]chan []lspDiagnostic{}, exited: make(chan struct{})}
	c.cmd = exec.Command(node, server, "--stdio")
	c.cmd.Stderr = &c.stderr
	c.in, err = c.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go c.read(bufio.NewReader(out))
	t.Cleanup(c.close)
	rootURI := "file://" + root
	c.call("initialize", map[string]any{
		"processId": os.Getpid(), "rootUri": rootURI,
		"workspaceFolders": []any{map[string]any{"uri": rootURI, "name": "scenarios"}},
		"capabilities": map[string]any{
			"workspace": map[string]any{"configuration": true},
			"textDocument": map[string]any{
				"publishDiagnostics": map[string]any{},
				"hover":              map[string]any{"contentFormat": []string{"markdown", "plaintext"}},
				"completion":         map[string]any{"completionItem": map[string]any{"snippetSupport": false}},
			},
		},
	})
	c.notify("initialized", map[string]any{})
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": c.settings})
	return c
}

// yamllsSettings returns the settings VS Code's YAML extension sends by default that bear on
// validation, hover and completion, with yaml.schemas; the schema store, which the extension
// consults on the network, is off.
func yamllsSettings(schemas map[string]any) map[string]any {
	return map[string]any{"yaml": map[string]any{
		"validate": true, "hover": true, "completion": true, "format": map[string]any{"enable": false},
		"schemaStore": map[string]any{"enable": false}, "schemas": schemas,
	}}
}

// read reads the server's messages: it hands results to their calls, diagnostics to their
// documents, and answers the server's requests (its configuration: the settings above).
func (c *yamlls) read(r *bufio.Reader) {
	defer close(c.exited)
	for {
		length := -1
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				break
			}
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				length, _ = strconv.Atoi(v)
			}
		}
		if length < 0 {
			return
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		var m lspMessage
		if err := json.Unmarshal(body, &m); err != nil {
			continue
		}
		switch {
		case m.ID != nil && m.Method != "": // a request of the server's
			var result any
			if m.Method == "workspace/configuration" {
				var p struct{ Items []struct{ Section string } }
				json.Unmarshal(m.Params, &p)
				items := make([]any, len(p.Items))
				for i, it := range p.Items {
					items[i] = c.settings[it.Section]
				}
				result = items
			}
			c.send(map[string]any{"jsonrpc": "2.0", "id": m.ID, "result": result})
		case m.ID != nil:
			var id int
			json.Unmarshal(*m.ID, &id)
			c.mu.Lock()
			ch := c.calls[id]
			c.mu.Unlock()
			if ch != nil {
				if len(m.Error) > 0 {
					ch <- m.Error
				} else {
					ch <- m.Result
				}
			}
		case m.Method == "textDocument/publishDiagnostics":
			var p struct {
				URI         string
				Diagnostics []lspDiagnostic
			}
			json.Unmarshal(m.Params, &p)
			select {
			case c.diagnostics(p.URI) <- p.Diagnostics:
			default: // publications nobody waits for
			}
		}
	}
}

func (c *yamlls) diagnostics(uri string) chan []lspDiagnostic {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := c.diags[uri]
	if ch == nil {
		ch = make(chan []lspDiagnostic, 16)
		c.diags[uri] = ch
	}
	return ch
}

func (c *yamlls) send(m any) {
	body, err := json.Marshal(m)
	if err != nil {
		c.t.Fatal(err)
	}
	c.wrote.Lock()
	defer c.wrote.Unlock()
	fmt.Fprintf(c.in, "Content-Length: %d\r\n\r\n%s", len(body), body)
}

func (c *yamlls) notify(method string, params any) {
	c.send(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
}

// lspTimeout bounds every wait for the server: it answers in milliseconds once started.
const lspTimeout = 60 * time.Second

func (c *yamlls) call(method string, params any) json.RawMessage {
	c.t.Helper()
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan json.RawMessage, 1)
	c.calls[id] = ch
	c.mu.Unlock()
	c.send(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	select {
	case r := <-ch:
		return r
	case <-c.exited:
		c.t.Fatalf("yaml-language-server exited during %s:\n%s", method, c.stderr.String())
	case <-time.After(lspTimeout):
		c.t.Fatalf("yaml-language-server did not answer %s within %v", method, lspTimeout)
	}
	return nil
}

// open opens a document of the given text at path and returns the diagnostics the server
// publishes for it.
func (c *yamlls) open(path, text string) []lspDiagnostic {
	c.t.Helper()
	return c.openAll(map[string]string{path: text})[path]
}

// openAll opens documents (path → text) at once and returns the diagnostics the server
// publishes for each.
func (c *yamlls) openAll(docs map[string]string) map[string][]lspDiagnostic {
	c.t.Helper()
	for path, text := range docs {
		c.diagnostics("file://" + path) // before the server can answer
		c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
			"uri": "file://" + path, "languageId": "yaml", "version": 1, "text": text}})
	}
	got := map[string][]lspDiagnostic{}
	for path := range docs {
		select {
		case got[path] = <-c.diagnostics("file://" + path):
		case <-c.exited:
			c.t.Fatalf("yaml-language-server exited:\n%s", c.stderr.String())
		case <-time.After(lspTimeout):
			c.t.Fatalf("yaml-language-server published no diagnostics for %s within %v", path, lspTimeout)
		}
	}
	return got
}

// awaitSchema waits until the server applies the schema of the settings to a document at path:
// the settings reach it asynchronously (it asks for them), and a document validated before
// would get no diagnostics, which the tests of valid files must not take for a pass. It edits a
// document with a fault of shape until the fault is reported.
func (c *yamlls) awaitSchema(path string) {
	c.t.Helper()
	uri, text := "file://"+path, "main:\n  - timeout: 10\n    thn: []\n"
	ch := c.diagnostics(uri)
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
	deadline := time.After(lspTimeout)
	for version := 2; ; version++ {
		select {
		case d := <-ch:
			if len(d) > 0 {
				return
			}
		case <-c.exited:
			c.t.Fatalf("yaml-language-server exited:\n%s", c.stderr.String())
		case <-deadline:
			c.t.Fatalf("yaml-language-server applied no schema to %s within %v", path, lspTimeout)
		}
		time.Sleep(50 * time.Millisecond)
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": version},
			"contentChanges": []any{map[string]any{"text": text}}})
	}
}

func (c *yamlls) close() {
	c.call("shutdown", nil)
	c.notify("exit", nil)
	c.in.Close()
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
	}
	c.cmd.Wait()
}

// openScenarios starts yaml-language-server on the repository with the schema mapped to
// scenarios/*.yaml in its settings, as docs/schema.md tells VS Code users to, and returns a
// function that opens a document of the given text as scenarios/NAME and returns its
// diagnostics.
func openScenarios(t *testing.T) (open func(name, text string) []lspDiagnostic, c *yamlls, dir string) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	c = startYAMLLS(t, root, map[string]any{"./docs/looptest.schema.json": []string{"scenarios/*.yaml"}})
	dir = filepath.Join(root, "scenarios")
	c.awaitSchema(filepath.Join(dir, "schema-probe.yaml"))
	return func(name, text string) []lspDiagnostic { return c.open(filepath.Join(dir, name), text) }, c, dir
}

// messages returns the diagnostics as LINE:COL MESSAGE lines, lines and columns from 1.
func messages(ds []lspDiagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "%d:%d %s\n", d.Range.Start.Line+1, d.Range.Start.Character+1, d.Message)
	}
	return b.String()
}

// TestSchemaInYAMLLanguageServer checks what an editor shows with the schema: a misspelt key is
// named, in its own kind's terms only; a wrong duration is told what a duration is; the
// shipped scenarios are clean.
func TestSchemaInYAMLLanguageServer(t *testing.T) {
	open, c, _ := openScenarios(t)
	for _, tc := range []struct {
		name, src string
		want      string // the diagnostics, as messages writes them
	}{
		// A timeout step with a misspelt then: the key is named, and nothing is said of http,
		// whose timeout key the step also has.
		{"typo.yaml", "main:\n  - timeout: 10\n    thn:\n      - log: fired\n",
			"3:5 Property thn is not allowed.\n"},
		{"http-typo.yaml", "main:\n  - http: /x\n    timeout: 5\n    thn: []\n    error: []\n",
			"4:5 Property thn is not allowed.\n"},
		{"nested-typo.yaml", "main:\n  - immediate:\n    then:\n      - async: f\n        body:\n          - await: {read: a.txt, cst: 1}\n            catch: []\n",
			"6:34 Property cst is not allowed.\n"},
		{"cost.yaml", "main:\n  - read: a.txt\n    cost: fast\n",
			`3:11 A duration: an integer of milliseconds from 0 to 86400000, or a number with a unit: "10ms", "1.5s", "2m", "1h", or a ${...} reference.` + "\n"},
		{"timeout-zero.yaml", "main:\n  - http: /x\n    timeout: 0s\n    error: []\n",
			`3:14 A duration more than 0: an integer of milliseconds from 1 to 86400000, or a number with a unit: "10ms", "1.5s", "2m", "1h", or a ${...} reference.` + "\n"},
		{"encrypt.yaml", "main:\n  - encrypt: lots\n",
			"2:14 An integer from 0 to 92, or a ${...} reference.\n"},
		{"no-kind.yaml", "main:\n  - timout: 10\n",
			"2:5 Needs a kind key: one of " + kindNames() + ".\n"},
		{"chain.yaml", "main:\n  - promise: 1\n    chain:\n      - thn: []\n",
			"4:9 Needs a handler: one of then, catch, finally.\n"},
	} {
		got := messages(open(tc.name, tc.src))
		if got != tc.want {
			t.Errorf("%s:\n%s\nyaml-language-server says:\n%s\nwant:\n%s", tc.name, tc.src, got, tc.want)
		}
		if strings.Contains(tc.name, "typo") && strings.Contains(got, "http") {
			t.Errorf("%s: a misspelt key is told of another kind: %s", tc.name, got)
		}
	}

	files, err := filepath.Glob("../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	docs := map[string]string{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		path, err := filepath.Abs(file)
		if err != nil {
			t.Fatal(err)
		}
		docs[path] = string(data)
	}
	for path, d := range c.openAll(docs) {
		if len(d) > 0 {
			t.Errorf("%s: yaml-language-server finds faults in a shipped scenario:\n%s", path, messages(d))
		}
	}
}

// TestSchemaModelineInYAMLLanguageServer checks the other way docs/schema.md gives: the
// schema named in a file's first comment, by a path relative to the file.
func TestSchemaModelineInYAMLLanguageServer(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	c := startYAMLLS(t, root, nil)
	head := "# yaml-language-server: $schema=../docs/looptest.schema.json\n"
	dir := filepath.Join(root, "testdata")
	if got, want := messages(c.open(filepath.Join(dir, "typo.yaml"), head+"main:\n  - timeout: 10\n    thn: []\n")), "4:5 Property thn is not allowed.\n"; got != want {
		t.Errorf("yaml-language-server says:\n%s\nwant:\n%s", got, want)
	}
	if d := c.open(filepath.Join(dir, "ok.yaml"), head+"name: ok\nmain:\n  - timeout: 10ms\n    then: [{log: fired}]\n"); len(d) > 0 {
		t.Errorf("yaml-language-server finds faults in a valid file:\n%s", messages(d))
	}
}

// TestSchemaHoverAndCompletion checks that hover and completion in a step speak of its own kind:
// hover on a timeout step's then is titled timeout, completion in a read step offers the keys
// read takes, and in an empty step the kinds.
func TestSchemaHoverAndCompletion(t *testing.T) {
	open, c, dir := openScenarios(t)
	uri := "file://" + filepath.Join(dir, "edit.yaml")
	open("edit.yaml", "main:\n  - timeout: 10\n    then: []\n  - read: a.txt\n    \n  -  \n")
	at := func(line, char int) map[string]any {
		return map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": line, "character": char}}
	}
	var hover struct{ Contents struct{ Value string } }
	json.Unmarshal(c.call("textDocument/hover", at(2, 6)), &hover)
	if title, _, _ := strings.Cut(hover.Contents.Value, "\n"); title != "#### timeout" {
		t.Errorf("hover on a timeout step's then: %q, want the title timeout", hover.Contents.Value)
	}
	completion := func(line, char int) string {
		var list struct{ Items []struct{ Label string } }
		json.Unmarshal(c.call("textDocument/completion", at(line, char)), &list)
		labels := make([]string, len(list.Items))
		for i, it := range list.Items {
			labels[i] = it.Label
		}
		slices.Sort(labels)
		return strings.Join(labels, " ")
	}
	if got, want := completion(4, 4), "as cost error repeat then"; got != want {
		t.Errorf("completion in a read step: %s, want %s", got, want)
	}
	if got, want := completion(5, 5), strings.Join(slices.Sorted(slices.Values(kindList())), " "); got != want {
		t.Errorf("completion in an empty step: %s, want %s", got, want)
	}
}
