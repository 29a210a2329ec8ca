package lttest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestEveryTestBinaryDefinesUpdate checks that every package of the module with tests imports
// lttest in one of its test files: 'go test ./... -update' passes -update to every test binary,
// and one that does not define it fails with "flag provided but not defined".
func TestEveryTestBinaryDefinesUpdate(t *testing.T) {
	const self = "github.com/looptest/looptest/internal/lttest"
	root := filepath.Join("..", "..")
	imports := map[string]bool{} // directory with tests → whether one of them imports lttest
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		imports[dir] = imports[dir] || slices.ContainsFunc(f.Imports, func(s *ast.ImportSpec) bool {
			p, _ := strconv.Unquote(s.Path.Value)
			return p == self
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 2 {
		t.Fatalf("found tests in %d directories under %s, want the module's", len(imports), root)
	}
	for dir, ok := range imports {
		if !ok && dir != filepath.Join(root, "internal", "lttest") { // its own tests are in it
			t.Errorf("no test file in %s imports %s: 'go test ./... -update' fails there", dir, self)
		}
	}
}
