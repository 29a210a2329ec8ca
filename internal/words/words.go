// Package words is the English the tool's messages share: plurals and capitals.
package words

import (
	"unicode"
	"unicode/utf8"
)

// Plural returns word for one and word+"s" for any other count n: "1 line", "0 lines", "2 runs".
// It knows only regular nouns.
func Plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// Capitalize returns s with its first letter upper-case, to start a sentence with it.
func Capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || r == utf8.RuneError && size == 1 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}
