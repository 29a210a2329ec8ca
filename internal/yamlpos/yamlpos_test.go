package yamlpos

import (
	_ "github.com/looptest/looptest/internal/lttest" // every test binary understands -update

	"strings"
	"testing"
)

// TestSyntax checks that YAML syntax errors are reported where the problem is, with a column, in
// a scenario author's words, whatever line YAML itself names.
func TestSyntax(t *testing.T) {
	tests := []struct{ src, want string }{
		{"main:\n\t- log: x\n", "2:1: a tab indents this line"},
		{"main:\n  - log: x\n\t  then: []\n", "3:1: a tab indents this line"}, // YAML says line 2
		{"main:\n  -\t- log: x\n", "2:4: a tab indents this line"},
		{"main:\n  - log: \"open\n  - log: x\n", "2:10: unterminated double-quoted string"},
		{"main: [{log: \"x}]\n", "1:14: unterminated double-quoted string"},
		{"main:\n  - log: it's plain # and 'this' is a comment\n  - log: 'open\n", "3:10: unterminated single-quoted string"},
		{"main:\r\n  - log: x\r\n  - log: \"open\r\n", "3:10: unterminated double-quoted string"},
		{"main:\n  - log: |\n      a \"quote\" in a block\n  - log: \"open\n", "4:10: unterminated double-quoted string"},
		{"main:\n  - log: 'it''s closed'\n  - log: \"esc \\\" still open\n", "3:10: unterminated double-quoted string"},
		{"main: [\n  {log: a},\n  {log: b}\n", "1:7: this [ is never closed: expected , or ]"},
		{"main: [{log: a}\n", "1:7: this [ is never closed"},
		{"main: [{log: a, then: [{log: b}]\n", "1:8: this { is never closed: expected , or }"},
		{"main: [\n  {log: \"a\"}\n  {log: b}\n]\n", "3:3: expected , or ] before this item"},
		{"main: [{log: what?}]\n", "1:18: a value inside [ ] or { } cannot hold ?"},
		{"main:\n  - log: a: b\n", "2:11: a value cannot hold \": \""},
		{"main:\n  - log: x\n   - log: y\n", "3:4: expected a list item"},
		{"main:\n  - timeout: 1\n    then\n", "3:5: expected \"key: value\" here"},
		{"main:\n  - read: \"a\\qb\"\n", "2:13: unknown escape"},
		{"main:\n  - log: `x`\n", "2:10: a value cannot start with ` unless it is quoted"},
		{"main: [{log: *nope}]\n", "1:14: alias *nope refers to no anchor"},
		{"main: []\n---\nfoo: [\n", "3:6: this [ is never closed"},
		{"main: " + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + "\n", "1:10007: nested more than 10000 levels deep"},
	}
	for _, tt := range tests {
		_, _, err := Decode([]byte(tt.src))
		if err == nil {
			t.Errorf("Decode(%q) succeeded", tt.src)
			continue
		}
		if p := Syntax([]byte(tt.src), err); !strings.HasPrefix(p.String(), tt.want) {
			t.Errorf("Syntax(%q):\n got %v\nwant %s...", tt.src, p, tt.want)
		}
	}
}

// TestText checks that what is not text is reported at the first byte that makes it so.
func TestText(t *testing.T) {
	tests := []struct{ src, want string }{
		{"main:\n  - log: caf\xe9\n", "2:13: the file is not UTF-8 text: invalid byte 0xe9"},
		{"main:\n  - log: é\x00\n", "2:11: the file is not text: it holds a NUL byte"},
		{"a: 1\r\nb: \x1b[0m\n", "2:4: the control character U+001B is not allowed in a scenario file"},
		{"\xef\xbb\xbfmain: [{log: \x01}]", "1:14: the control character U+0001"},
	}
	for _, tt := range tests {
		if p := Text([]byte(tt.src)); p == nil || !strings.HasPrefix(p.String(), tt.want) {
			t.Errorf("Text(%q):\n got %v\nwant %s...", tt.src, p, tt.want)
		}
	}
}

func TestTextAccepts(t *testing.T) {
	for _, src := range []string{"", "main: []\n", "\xef\xbb\xbfmain:\r\n  - log: \"caf\u00e9\tx\"\n"} {
		if p := Text([]byte(src)); p != nil {
			t.Errorf("Text(%q) = %v, want nil", src, p)
		}
	}
}
