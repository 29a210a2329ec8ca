package harness

import (
	"strings"
	"testing"
)

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		in   string
		want string // parts: literals as is, references in [ ]
		err  string
	}{
		{in: "", want: ""},
		{in: "plain", want: "plain"},
		{in: "${a}", want: "[a]"},
		{in: "x ${a.len} y", want: "x |[a.len]| y"},
		{in: "$$", want: "$"},
		{in: "$${a}", want: "${a}"},
		{in: "cost $5", want: "cost $5"},
		{in: "end $", want: "end $"},
		{in: "${a}${b.body}", want: "[a]|[b.body]"},
		{in: "${", err: "unterminated ${"},
		{in: "${}", err: "bad reference ${}"},
		{in: "${1a}", err: "bad reference ${1a}"},
		{in: "${a.b.c}", err: "bad reference ${a.b.c}"},
		{in: "${a b}", err: "bad reference ${a b}"},
	}
	for _, tt := range tests {
		tpl, err := parseTemplate(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseTemplate(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseTemplate(%q): %v", tt.in, err)
			continue
		}
		var parts []string
		for _, p := range tpl.parts {
			if p.ref != nil {
				s := p.ref.name
				if p.ref.field != "" {
					s += "." + p.ref.field
				}
				parts = append(parts, "["+s+"]")
			} else {
				parts = append(parts, p.lit)
			}
		}
		if got := strings.Join(parts, "|"); got != tt.want {
			t.Errorf("parseTemplate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzTemplate checks that any text parses or fails cleanly, and that text without references
// renders to itself with $$ folded.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"", "a", "${a}", "$$", "${a.len} $5 $$ ${", "${}", "x${a}y${b.c}z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		defer watchdog("parseTemplate")()
		tpl, err := parseTemplate(s)
		if err != nil {
			return
		}
		for _, r := range tpl.refs() {
			if !isIdent(r.name) || r.field != "" && !isIdent(r.field) {
				t.Fatalf("%q: bad reference %+v", s, r)
			}
		}
		if len(tpl.refs()) == 0 {
			got, ok := tpl.static()
			if !ok {
				t.Fatalf("%q: no references but not static", s)
			}
			if want := strings.ReplaceAll(s, "$$", "$"); !strings.Contains(s, "$$$") && got != want {
				t.Fatalf("%q rendered %q, want %q", s, got, want)
			}
		}
	})
}
