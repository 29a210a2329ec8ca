// Package yamlpos finds where a YAML syntax problem really is and says it in a scenario author's words.
package yamlpos

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// The YAML parser reports a syntax error with a line that is sometimes wrong (off by one, or the
// line where a construct began rather than where it broke) and never with a column, in words of
// its own ("found character that cannot start any token"). This package finds where the problem
// is, and says what it is in the words of a scenario's author.

// A Problem is what is wrong in a YAML file, and where: Line and Col count from 1, Col in
// characters as YAML counts them.
type Problem struct {
	Line, Col int
	Msg       string
}

// String formats p as LINE:COL: MSG.
func (p *Problem) String() string { return fmt.Sprintf("%d:%d: %s", p.Line, p.Col, p.Msg) }

// Text reports the first thing that makes data something other than UTF-8 text YAML can
// read: an invalid UTF-8 sequence, NUL or another control character. YAML would reject it too,
// but without a position.
func Text(data []byte) *Problem {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return &Problem{line, col, fmt.Sprintf("the file is not UTF-8 text: invalid byte 0x%02x", data[i])}
		case r == 0:
			return &Problem{line, col, "the file is not text: it holds a NUL byte"}
		case r == 0xFEFF && i == 0: // a byte order mark
		case !printable(r):
			return &Problem{line, col, fmt.Sprintf("the control character %U is not allowed in a scenario file", r)}
		}
		switch {
		case r == '\n', r == '\r' && (i+1 == len(data) || data[i+1] != '\n'):
			line, col = line+1, 1
		case r != '\r' && !(r == 0xFEFF && i == 0): // YAML skips the byte order mark
			col++
		}
		i += size
	}
	return nil
}

// printable reports whether YAML allows r in a document.
func printable(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r >= 0x20 && r <= 0x7e, r == 0x85:
		return true
	case r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd && r != 0xfeff, r >= 0x10000 && r <= 0x10ffff:
		return true
	}
	return false
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): `)

// splitYAMLError splits an error of yaml.v3 into the line it names (0 if none) and its message.
func splitYAMLError(err error) (int, string) {
	msg, line := err.Error(), 0
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	return line, strings.TrimPrefix(msg, "yaml: ")
}

// Decode decodes the first document of data and, if there is one, the second; it returns them and
// the first error. Syntax finds the place of that error by decoding the same way.
func Decode(data []byte) (doc, extra *yaml.Node, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	doc = new(yaml.Node)
	if err := dec.Decode(doc); err != nil {
		return nil, nil, err
	}
	extra = new(yaml.Node)
	switch err := dec.Decode(extra); {
	case errors.Is(err, io.EOF):
		return doc, nil, nil
	case err != nil:
		return doc, nil, err
	}
	return doc, extra, nil
}

// Syntax turns err, the syntax error Decode returned for data, into the Problem it stands for, at
// the place of the problem. It never returns nil.
func Syntax(data []byte, err error) *Problem {
	yamlLine, msg := splitYAMLError(err)
	text := string(data)
	switch {
	case msg == "found unexpected end of stream", msg == "did not find expected node content",
		strings.HasPrefix(msg, "did not find expected ',' or "):
		if p := unclosed(text, strings.HasPrefix(msg, "did not find expected ',' or ")); p != nil {
			return p
		}
	}
	if strings.HasPrefix(msg, "exceeded max depth of ") {
		if line, col, ok := tooDeep(text, maxDepth); ok {
			return &Problem{line, col, fmt.Sprintf("nested more than %d levels deep", maxDepth)}
		}
	}
	line := problemLine(data, msg)
	if line == 0 {
		line = max(yamlLine, 1)
	}
	lineText := lineAt(text, line)
	col, say := firstNonSpace(lineText), "invalid YAML: "+msg
	switch {
	case strings.Contains(msg, "tab character") || msg == "found character that cannot start any token":
		if c := tabIndent(lineText); c > 0 {
			col, say = c, "a tab indents this line: YAML indents with spaces only"
		} else if c := strings.IndexAny(lineText, "@`"); c >= 0 && msg == "found character that cannot start any token" {
			col = runeCol(lineText, c)
			say = fmt.Sprintf("a value cannot start with %c unless it is quoted", lineText[c])
		}
	case msg == "mapping values are not allowed in this context":
		if c := secondColon(lineText); c > 0 {
			col, say = c, `a value cannot hold ": " unless it is quoted (write "a: b")`
		}
	case msg == "could not find expected ':'":
		say = `expected "key: value" here: is a colon missing, or the indentation wrong?`
	case msg == "did not find expected key":
		say = "expected a key at this indentation: is the line indented as the keys above it?"
	case msg == "did not find expected '-' indicator":
		say = "expected a list item (- ...) at this indentation: is the line indented as the items above it?"
	case msg == "found unknown escape character":
		if c := badEscape(lineText); c > 0 {
			col, say = c, `unknown escape in a double-quoted string: write \\ for a backslash, or use single quotes`
		}
	case strings.HasPrefix(msg, "unknown anchor "):
		name := strings.TrimSuffix(strings.TrimPrefix(msg, "unknown anchor '"), "' referenced")
		if c := strings.Index(lineText, "*"+name); c >= 0 {
			col = runeCol(lineText, c)
		}
		say = fmt.Sprintf("alias *%s refers to no anchor; scenarios do not support aliases: write the value out", name)
	}
	return &Problem{line, col, say}
}

// problemLine finds the line of a syntax error: the first line such that the file up to and
// including it fails with the same message. Cutting a file inside a quoted string or a flow
// collection gives another message (the end of the stream came too early), so such cuts count
// as parsing. It returns 0 if the whole file does not fail with msg.
func problemLine(data []byte, msg string) int {
	var ends []int // ends[k-1]: the length of the first k lines
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	fails := func(k int) bool {
		_, _, err := Decode(data[:ends[k-1]])
		if err == nil {
			return false
		}
		_, m := splitYAMLError(err)
		return m == msg
	}
	if !fails(len(ends)) {
		return 0
	}
	lo, hi := 1, len(ends) // the answer is in [lo, hi]
	for lo < hi {
		mid := lo + (hi-lo)/2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// lineAt returns the text of the given line, from 1, without its line break.
func lineAt(text string, line int) string {
	for range line - 1 {
		_, rest, ok := strings.Cut(text, "\n")
		if !ok {
			return ""
		}
		text = rest
	}
	l, _, _ := strings.Cut(text, "\n")
	return strings.TrimSuffix(l, "\r")
}

// runeCol returns the column, from 1, of byte offset i in line, counting characters as YAML does.
func runeCol(line string, i int) int { return utf8.RuneCountInString(line[:i]) + 1 }

func firstNonSpace(line string) int {
	i := strings.IndexFunc(line, func(r rune) bool { return r != ' ' && r != '\t' })
	if i < 0 {
		return 1
	}
	return runeCol(line, i)
}

// tabIndent returns the column of the first tab among the blanks that start line, or 0.
func tabIndent(line string) int {
	for i := 0; i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '-'); i++ {
		if line[i] == '\t' {
			return i + 1
		}
	}
	return 0
}

// secondColon returns the column of the ": " that YAML refused in a plain value: the second one
// outside quotes on the line, or 0.
func secondColon(line string) int {
	seen := 0
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == 0 || line[i-1] == ' '):
			return 0
		case c == ':' && (i+1 == len(line) || line[i+1] == ' '):
			if seen++; seen == 2 {
				return runeCol(line, i)
			}
		}
	}
	return 0
}

// badEscape returns the column of the first backslash in line that starts an escape YAML does not
// know, or 0.
func badEscape(line string) int {
	const known = "0abtnvfre \"/\\N_LPxuU\t"
	for i := 0; i+1 < len(line); i++ {
		if line[i] == '\\' {
			if !strings.ContainsRune(known, rune(line[i+1])) {
				return runeCol(line, i)
			}
			i++
		}
	}
	return 0
}

// unclosed scans text for a quoted string or a flow collection ([...] or {...}) that is never
// closed, and reports the quote or the bracket that opens it; with needComma, it first looks for
// a quoted or bracketed item of a flow collection that is not followed by a comma or the closing
// bracket. It knows enough of YAML's syntax to tell a quote that opens a string from one inside a
// plain value, and skips comments and block scalars; it returns nil if it finds nothing wrong.
func unclosed(text string, needComma bool) *Problem {
	var flow []int // offsets of the open brackets
	line, lineStart := 1, 0
	valueStart := true // at a place where a value may begin
	plain := false     // inside a plain value
	blockIndent := -1  // inside a block scalar: the indentation its content must exceed
	itemEnded := false // an item of a flow collection just ended: a comma or a bracket must follow
	at := func(i int, msg string) *Problem {
		return &Problem{line, utf8.RuneCountInString(text[lineStart:i]) + 1, msg}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if i == lineStart { // a new line: where does its content start?
			indent := 0
			for i+indent < len(text) && text[i+indent] == ' ' {
				indent++
			}
			rest := text[i+indent:]
			if blockIndent >= 0 {
				if indent > blockIndent || rest == "" || rest[0] == '\n' || rest[0] == '\r' {
					if j := strings.IndexByte(rest, '\n'); j >= 0 {
						i += indent + j
						line, lineStart = line+1, i+1
						continue
					}
					return nil
				}
				blockIndent = -1
			}
			if len(flow) == 0 {
				valueStart, plain = true, false
			}
		}
		if itemEnded && !strings.ContainsRune(" \t\r\n#,]}:", rune(c)) {
			if needComma {
				close := "]"
				if text[flow[len(flow)-1]] == '{' {
					close = "}"
				}
				return at(i, fmt.Sprintf("expected , or %s before this item", close))
			}
			itemEnded = false
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			itemEnded = false
		}
		switch {
		case c == '\n':
			line, lineStart = line+1, i+1
			if len(flow) > 0 {
				plain = false
				valueStart = true
			}
		case c == ' ' || c == '\t' || c == '\r':
		case c == '#' && (i == 0 || strings.ContainsRune(" \t\n", rune(text[i-1]))):
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				i = len(text)
				continue
			}
			i += j - 1
		case plain:
			if c == ':' && (i+1 == len(text) || strings.ContainsRune(" \t\r\n", rune(text[i+1]))) {
				plain, valueStart = false, true
			} else if len(flow) > 0 && (c == ',' || c == ']' || c == '}') {
				plain = false
				i-- // let the bracket or comma be seen as such
			} else if len(flow) > 0 && c == '?' && needComma {
				return at(i, "a value inside [ ] or { } cannot hold ? unless it is quoted")
			}
		case valueStart && (c == '"' || c == '\''):
			end := closeQuote(text, i)
			if end < 0 {
				kind := "double-quoted"
				if c == '\'' {
					kind = "single-quoted"
				}
				return at(i, fmt.Sprintf("unterminated %s string: this %c is never closed", kind, c))
			}
			for _, b := range text[i:end] {
				if b == '\n' {
					line++
				}
			}
			if nl := strings.LastIndexByte(text[:end], '\n'); nl >= i {
				lineStart = nl + 1
			}
			i = end
			valueStart, itemEnded = false, len(flow) > 0
		case c == '[' || c == '{':
			flow = append(flow, i)
			valueStart = true
		case (c == ']' || c == '}') && len(flow) > 0:
			flow = flow[:len(flow)-1]
			valueStart, itemEnded = false, len(flow) > 0
		case c == ',' && len(flow) > 0:
			valueStart = true
		case (c == '-' || c == '?' || c == ':') && (i+1 == len(text) || strings.ContainsRune(" \t\r\n", rune(text[i+1]))):
			valueStart = true
		case valueStart && (c == '|' || c == '>'):
			blockIndent = firstNonSpace(text[lineStart:i]) - 1
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				return nil
			}
			i += j - 1
		case valueStart && (c == '&' || c == '!' || c == '*'):
			for i+1 < len(text) && !strings.ContainsRune(" \t\r\n,]}", rune(text[i+1])) {
				i++
			}
		default:
			valueStart, plain = false, true
		}
	}
	if len(flow) > 0 {
		i := flow[len(flow)-1]
		line, lineStart = 1+strings.Count(text[:i], "\n"), strings.LastIndexByte(text[:i], '\n')+1
		open, close := text[i], byte(']')
		if open == '{' {
			close = '}'
		}
		return at(i, fmt.Sprintf("this %c is never closed: expected , or %c", open, close))
	}
	return nil
}

// maxDepth is how deep the YAML parser lets collections nest.
const maxDepth = 10000

// tooDeep returns the line and column of the bracket that opens collection number limit+1 of a
// chain of nested flow collections, if there is one.
func tooDeep(text string, limit int) (line, col int, ok bool) {
	depth, line, lineStart := 0, 1, 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			line, lineStart = line+1, i+1
		case '"', '\'':
			if end := closeQuote(text, i); end > i {
				line += strings.Count(text[i:end], "\n")
				if nl := strings.LastIndexByte(text[:end], '\n'); nl >= i {
					lineStart = nl + 1
				}
				i = end
			}
		case '[', '{':
			if depth++; depth > limit {
				return line, runeCol(text[lineStart:], i-lineStart), true
			}
		case ']', '}':
			depth--
		}
	}
	return 0, 0, false
}

// closeQuote returns the offset of the quote that closes the string opened at i, or -1.
func closeQuote(text string, i int) int {
	q := text[i]
	for j := i + 1; j < len(text); j++ {
		switch {
		case q == '"' && text[j] == '\\':
			j++
		case text[j] == q && q == '\'' && j+1 < len(text) && text[j+1] == '\'':
			j++
		case text[j] == q:
			return j
		}
	}
	return -1
}
