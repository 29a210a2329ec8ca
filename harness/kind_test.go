package harness

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/looptest/looptest/internal/lttest"
)

// TestKindsSorted checks that the table of kinds is sorted by name, as kindNamed's binary search
// needs, with every kind complete.
func TestKindsSorted(t *testing.T) {
	if !slices.IsSortedFunc(kinds, func(a, b *kind) int { return strings.Compare(a.name, b.name) }) {
		t.Errorf("kinds is not sorted by name: %v", kindList())
	}
	for _, k := range kinds {
		if kindNamed(k.name) != k {
			t.Errorf("kindNamed(%q) does not find its kind", k.name)
		}
		if k.decode == nil || k.compile == nil || k.js == nil || k.schema == nil || k.value == "" || k.node == "" || k.summary == "" {
			t.Errorf("kind %s lacks a function or a text", k.name)
		}
		for _, key := range k.keys {
			if !key.common() && k.decodeKey == nil {
				t.Errorf("kind %s takes %s but has no decodeKey", k.name, key.name)
			}
			if key.description == "" || key.schema == nil {
				t.Errorf("kind %s: key %s lacks a description or a schema", k.name, key.name)
			}
		}
		if (k.result != nil) != (k.key(keyAs.name) != nil) {
			t.Errorf("kind %s: it has a result if and only if it takes as", k.name)
		}
		if (k.clearJS != "" || k.idPromise) != (k.key(keyID.name) != nil) {
			t.Errorf("kind %s: it takes id if and only if it has a clear function or its id names its promise", k.name)
		}
		if k.clearJS != "" && k.idPromise {
			t.Errorf("kind %s: an id names a handle to clear or a promise, not both", k.name)
		}
	}
}

// withKinds adds kinds to the table for the length of the test.
func withKinds(t *testing.T, ks ...*kind) {
	saved := kinds
	t.Cleanup(func() { kinds = saved })
	kinds = append(slices.Clone(kinds), ks...)
	slices.SortFunc(kinds, func(a, b *kind) int { return strings.Compare(a.name, b.name) })
}

// TestFormatDocTable checks that the table of step kinds in docs/format.md is the one the kinds
// make; -update rewrites it.
func TestFormatDocTable(t *testing.T) {
	const (
		path  = "../docs/format.md"
		begin = "<!-- kinds: generated from harness's table of step kinds; LOOPTEST_UPDATE=1 go test ./harness rewrites it -->\n"
		end   = "<!-- end of kinds -->\n"
	)
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := bytes.Cut(doc, []byte(begin))
	_, after, ok2 := bytes.Cut(rest, []byte(end))
	if !ok1 || !ok2 {
		t.Fatalf("%s has no generated table between %q and %q", path, begin, end)
	}
	var table bytes.Buffer
	WriteKindTable(&table)
	want := slices.Concat(before, []byte(begin), table.Bytes(), []byte(end), after)
	if bytes.Equal(doc, want) {
		return
	}
	if lttest.Update() {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the table of step kinds in %s is out of date; run LOOPTEST_UPDATE=1 go test ./harness. It should read:\n%s", path, table.Bytes())
}
