package harness

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/looptest/looptest/internal/lttest"
	// A test-only dependency: a validator of JSON Schema draft 2020-12, to check that the schema
	// WriteSchema generates is a valid schema of that draft (Compile checks it against the
	// draft's meta-schema) and that it accepts and rejects the files the loader does.
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// compileSchema compiles WriteSchema's output.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteSchema(&buf); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("looptest.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("looptest.schema.json")
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	return sch
}

// yamlValue decodes a YAML document into the values a JSON decoder would give: mappings become
// map[string]any, whatever their keys.
func yamlValue(data []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return jsonish(v), nil
}

func jsonish(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = jsonish(e)
		}
		return v
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(k)] = jsonish(e)
		}
		return m
	case []any:
		for i, e := range v {
			v[i] = jsonish(e)
		}
	}
	return v
}

// TestSchemaDoc checks that docs/looptest.schema.json is WriteSchema's output;
// LOOPTEST_UPDATE=1 rewrites it.
func TestSchemaDoc(t *testing.T) {
	const path = "../docs/looptest.schema.json"
	var want bytes.Buffer
	if err := WriteSchema(&want); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := WriteSchema(&again); err != nil || !bytes.Equal(want.Bytes(), again.Bytes()) {
		t.Fatalf("WriteSchema's output differs from one call to the next (err %v)", err)
	}
	got, err := os.ReadFile(path)
	if err == nil && bytes.Equal(got, want.Bytes()) {
		return
	}
	if lttest.Update() {
		if err := os.WriteFile(path, want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is not the output of looptest schema (%v); run LOOPTEST_UPDATE=1 go test ./harness", path, err)
}

// TestSchemaAcceptsScenarios validates every shipped scenario against the schema.
func TestSchemaAcceptsScenarios(t *testing.T) {
	sch := compileSchema(t)
	files, err := filepath.Glob("../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		v, err := yamlValue(data)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s: the schema rejects a shipped scenario:\n%v", file, err)
		}
	}
}

// TestSchemaAgreesWithLoader checks small files on which the schema and the loader must agree.
func TestSchemaAgreesWithLoader(t *testing.T) {
	sch := compileSchema(t)
	for _, tc := range []struct {
		src string
		ok  bool
	}{
		{"main:", true},
		{"main: []\nclock: real\nthreadpool: 1024\nname: 7", true},
		{"main: [{log: 42}, {log: true}, {block: 1.0}, {block: \"1.5s\"}, {timeout: \"0\"}, {timeout: 86400000}]", true},
		{"main: [{immediate: , id: a}, {clear: a}, {nextTick: null, then: []}, {microtask: , repeat: 3}]", true},
		{"main: [{encrypt: 92, cost: 0, as: n, error: []}, {encrypt: '${i}', repeat: 2}]", true},
		{"main: [{http: /x, timeout: 1s, delay: 5, respond: {status: 404, body: 7, fault: reset}, as: r, then: [], error: [], closed: []}]", true},
		{"main: [{interval: 10, times: 10000000}]", true},
		{"main: [{read: a.txt, as: error, error: []}]", false},
		{"main: [{read: a.txt, as: 1x, error: []}]", false},
		{"main: [{http: /x, timeout: 0, error: []}]", false},
		{"main: [{http: /x, timeout: 0s, error: []}]", false},
		{"main: [{http: /x, timeout: 0.0ms, error: []}]", false},
		{"main: [{http: /x, timeout: 0h0m.5s, error: []}]", true},
		{"main: [{http: /x, timeout: 1., error: []}]", true},
		{"main: [{http: /x, timeout: '00.010ms', delay: 0s, error: []}]", true},
		{"main: [{read: a.txt, cost: fast, error: []}]", false},
		{"main: [{encrypt: fast}]", false},
		{"main: [{timeout: 10, thn: []}]", false},
		{"main: [{http: /x, timeout: 10, thn: []}]", false},
		{"main: [{timeout: 10, http: /x, delay: 5}]", true},
		{"main: [{timeout: 10, immediate: }]", false},
		{"main: [{promise: 1, chain: [{then: [], catch: []}]}]", false},
		{"main: [{async: f, body: [{await: {read: a.txt, cost: 5}, catch: []}]}]", true},
		{"main: [{async: f, body: [{await: {read: a.txt, cost: 5, then: []}, catch: []}]}]", false},
		{"main: [{async: f, body: [{await: {read: a.txt, cost: fast}, catch: []}]}]", false},
		{"main: [{async: f, body: [{await: {http: /x, timeout: 0s}, catch: []}]}]", false},
		{"main: [{async: f, id: p, body: []}, {async: g, body: [{await: {id: p}}]}]", true},
		{"main: [{async: f, id: 5, body: []}, {async: g, body: [{await: {id: 5}}]}]", false},
		{"main: [{timeout: 86400001}]", false},
		{"main: [{timeout: 1.5}]", false},
		{"main: [{block: 10 ms}]", false},
		{"main: [{log: }]", false},
		{"main: [{immediate: now}]", false},
		{"main: [{encrypt: '5'}]", false},
		{"main: [{http: /x, respond: []}]", false},
		{"main: [null]", false},
		{"main: [{repeat: 2}]", false},
		{"clock: virtual", false},
	} {
		v, err := yamlValue([]byte(tc.src))
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		_, loadErr := Parse("t.yaml", []byte(tc.src))
		if (loadErr == nil) != tc.ok {
			t.Errorf("%s: the loader says %v, want ok=%v", tc.src, loadErr, tc.ok)
		}
		if err := sch.Validate(v); (err == nil) != tc.ok {
			t.Errorf("%s: the schema says %v, want ok=%v", tc.src, err, tc.ok)
		}
	}
}

// shapeFaults lists the files of testdata/bad with faults of shape (an unknown key or kind, two
// kinds, a wrong type, a number out of range, a missing main), each with where the schema must
// find them: / for the document itself, /KEY for a top-level key, /main/N for a step of main
// (and what is nested in it). A step left out has no fault a schema can express: durations.yaml's
// 25h (above the 24h bound, which a pattern cannot compare), faults.yaml's hang without a timeout
// and close-mid-body with an empty body (combinations of keys), two-kinds.yaml's http with a
// timeout (valid: timeout is also a key of http).
var shapeFaults = map[string]string{
	"aliases.yaml":            "/", // steps: an unknown top-level key (that it is an anchor is not of shape)
	"comments-only.yaml":      "/", // no mapping, no main
	"durations.yaml":          "/main/0 /main/1 /main/2 /main/3 /main/5 /main/6",
	"empty.yaml":              "/",
	"encrypt-range.yaml":      "/main/0 /main/1 /main/2 /main/3", // ${n} out of scope is not of shape
	"faults.yaml":             "/main/1 /main/3 /main/4",
	"main-not-a-list.yaml":    "/main",
	"names-in-keys.yaml":      "/main/7", // ${...} in a block's duration; names out of scope are not of shape
	"not-a-mapping.yaml":      "/",
	"paths.yaml":              "/main/2", // http: no-slash; the paths of files and reads are the loader's
	"repeat-and-times.yaml":   "/main/0 /main/1 /main/2 /main/3",
	"then-not-a-list.yaml":    "/main/0 /main/1 /main/2",
	"threadpool-range.yaml":   "/threadpool",
	"threadpool-too-big.yaml": "/threadpool",
	"top-level-keys.yaml":     "/",
	"two-kinds.yaml":          "/main/0 /main/1",
	"unknown-fields.yaml":     "/main/0 /main/1 /main/2 /main/3",
	"unknown-kinds.yaml":      "/main/0 /main/1 /main/2",
	"wrong-types.yaml":        "/clock /files /main/0 /main/1 /main/2 /main/3 /main/4 /main/5 /main/6 /name /threadpool",
}

// notShape lists the other files of testdata/bad, whose faults a JSON Schema cannot express,
// and why. The schema must accept those that decode.
var notShape = map[string]string{
	"promises.yaml": "await, resolve and return where they cannot be, names out of scope, ids of no promise: what needs the whole file",
	// Not YAML that decodes to a value: there is nothing to validate.
	"bad-indentation.yaml":           "a YAML syntax error",
	"colon-in-plain-value.yaml":      "a YAML syntax error",
	"missing-colon.yaml":             "a YAML syntax error",
	"missing-comma-flow.yaml":        "a YAML syntax error",
	"question-mark-in-flow.yaml":     "a YAML syntax error",
	"tab-indent.yaml":                "a YAML syntax error",
	"tab-indent-nested.yaml":         "a YAML syntax error",
	"unclosed-flow.yaml":             "a YAML syntax error",
	"unknown-escape.yaml":            "a YAML syntax error",
	"unterminated-double-quote.yaml": "a YAML syntax error",
	"unterminated-single-quote.yaml": "a YAML syntax error",
	"duplicate-keys.yaml":            "a key given twice: YAML refuses it, and JSON values have no duplicate keys",
	"binary-invalid-utf8.yaml":       "not UTF-8: the encoding of the file, not its shape",
	"binary-nul.yaml":                "a NUL byte: the encoding of the file, not its shape",
	"binary-png.yaml":                "not text at all",
	"control-character.yaml":         "a raw control character: YAML refuses it",
	"alias-bomb.yaml":                "an alias bomb: YAML's decoder refuses the excessive aliasing",
	"deep-yaml.yaml":                 "nested deeper than YAML's decoder allows",
	// Valid in shape; what is wrong needs more than a schema says.
	"control-escape.yaml":      "control characters written as escapes: a rule on the text, which the loader checks",
	"deep-nesting.yaml":        "steps nested more than 100 levels: a schema cannot count how deep a recursive $ref goes",
	"ids.yaml":                 "ids given twice and clear steps naming unknown ids: relations between steps across the file",
	"intervals-never-end.yaml": "an interval ends only if it has times or some clear step in the file names its id",
	"long-names.yaml":          "names longer than 255 bytes in paths: path rules, counted in bytes, are the loader's",
	"merge-key.yaml":           "a merge key (<<): YAML expands it before a schema sees the value, which is then valid",
	"names-out-of-scope.yaml":  "${...} names out of scope and malformed references: the checker's scopes, not shape",
	"second-document.yaml":     "a second YAML document: the schema sees only the first, which is valid",
}

// TestSchemaRejectsBadShapes validates the catalogue of malformed files: the schema must find
// every fault of shape where shapeFaults says, and accept the files whose faults are not of shape.
func TestSchemaRejectsBadShapes(t *testing.T) {
	sch := compileSchema(t)
	files, err := filepath.Glob("../testdata/bad/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad files: %v", err)
	}
	seen := map[string]bool{}
	for _, file := range files {
		name := filepath.Base(file)
		seen[name] = true
		want, shape := shapeFaults[name]
		reason, excused := notShape[name]
		if shape == excused {
			t.Errorf("%s must be listed in exactly one of shapeFaults and notShape", name)
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		v, err := yamlValue(data)
		if err != nil {
			if shape {
				t.Errorf("%s does not decode as YAML: %v", name, firstLine(err.Error()))
			}
			continue
		}
		verr := sch.Validate(v)
		switch {
		case excused && verr != nil:
			t.Errorf("%s: rejected, though its faults are none of shape (%s): the schema is too strict, or the file belongs in shapeFaults:\n%v", name, reason, verr)
		case shape && verr == nil:
			t.Errorf("%s: the schema accepts a file with faults of shape at %s", name, want)
		case shape:
			if got := faultPlaces(verr); got != want {
				t.Errorf("%s: the schema finds faults at %s, want %s:\n%v", name, got, want, verr)
			}
		}
	}
	for name := range notShape {
		if !seen[name] {
			t.Errorf("notShape lists %s, which is not in testdata/bad", name)
		}
	}
	for name := range shapeFaults {
		if !seen[name] {
			t.Errorf("shapeFaults lists %s, which is not in testdata/bad", name)
		}
	}
}

// faultPlaces returns where a validation error's leaves are, as shapeFaults writes them, sorted.
func faultPlaces(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	set := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		loc := e.InstanceLocation
		switch {
		case len(loc) == 0:
			set["/"] = true
		case loc[0] == "main" && len(loc) > 1:
			set["/main/"+loc[1]] = true
		default:
			set["/"+loc[0]] = true
		}
	}
	walk(ve)
	return strings.Join(slices.Sorted(maps.Keys(set)), " ")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestSchemaTemplateDuration checks the durations that may be ${...} references, which a key
// takes with templateDurationKey: they accept a reference besides what a duration is.
func TestSchemaTemplateDuration(t *testing.T) {
	wait := &key{"wait", "How long the echo waits.", templateDurationKey(0, false)}
	limit := &key{"limit", "How long the echo may wait.", templateDurationKey(nil, true)}
	echo := newKindEcho(new(int))
	echo.keys = append(echo.keys, wait, limit)
	withKinds(t, echo)
	sch := compileSchema(t)
	for src, ok := range map[string]bool{
		"main: [{echo: hi, wait: 10, limit: 1ms}]":          true,
		"main: [{echo: hi, wait: '${i}ms', limit: '${i}'}]": true,
		"main: [{echo: hi, wait: 0s, limit: 0.5ms}]":        true,
		"main: [{echo: hi, wait: fast}]":                    false,
		"main: [{echo: hi, limit: 0s}]":                     false,
		"main: [{echo: hi, limit: 0}]":                      false,
		"main: [{echo: hi, wait: -1}]":                      false,
	} {
		v, err := yamlValue([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); (err == nil) != ok {
			t.Errorf("%s: the schema says %v, want ok=%v", src, err, ok)
		}
	}
}
