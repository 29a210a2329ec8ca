package harness

import (
	"fmt"
	"io"
	"strings"

	"github.com/looptest/looptest/internal/words"
)

// WriteReference prints the scenario format's step reference, generated from the table of step
// kinds, so that it never drifts from what the loader accepts.
func WriteReference(w io.Writer) {
	fmt.Fprintf(w, "A scenario is a YAML mapping: name, description, clock (virtual|real), threadpool (1..%d),\n", maxThreadpool)
	fmt.Fprintf(w, "files (path: content), and main (required), a list of steps.\n\n")
	fmt.Fprintf(w, "A step is a mapping with exactly one kind key:\n\n")
	for _, k := range kinds {
		keys := append(k.keyNames(), keyRepeat.name)
		fmt.Fprintf(w, "  %-10s %s\n", k.name+":", k.value)
		fmt.Fprintf(w, "             %s. Like %s.\n", words.Capitalize(k.summary), k.node)
		fmt.Fprintf(w, "             Other keys: %s.\n", strings.Join(keys, ", "))
		if k.result != nil {
			fmt.Fprintf(w, "             as binds %s.\n", k.result)
		}
	}
	var timers, templated []string
	for _, k := range kinds {
		if k.delay != nil {
			timers = append(timers, k.name)
		}
		if k.template {
			templated = append(templated, k.name)
		}
	}
	fmt.Fprintf(w, `
Durations: an integer is milliseconds; a string uses Go's syntax (500ms, 1.5s); at most 24h.
A timer (%s) below 1ms runs as 1ms. cost defaults to 1ms, delay to 0,
respond to {status: 200, body: OK}; respond: {fault: F} breaks the answer instead
(%s). An http timeout is its socket's: it fails a request idle that long.
${NAME} and ${NAME.FIELD} interpolate in the values of %s,
and in %s, read when the step runs; $$ is a literal $. Fields: %s.
as: NAME binds a result inside then; ${error} holds the message inside error;
repeat: N (1..%d) performs a step N times, ${i} counting from 0.
`, listOf(timers, "or"), faultNames(), listOf(templated, "and"), varyingKeys, fieldsHelp(false), maxRepeat)
}

// listOf returns items as an English list: "a", "a and b", "a, b and c", with conj.
func listOf(items []string, conj string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + conj + " " + items[len(items)-1]
}

// WriteKindTable writes the table of step kinds as the Markdown table of docs/format.md, from
// the same table as WriteReference.
func WriteKindTable(w io.Writer) {
	fmt.Fprintln(w, "| kind | value | like | other keys | as binds |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, k := range kinds {
		keys := make([]string, len(k.keys))
		for i, key := range k.keys {
			keys[i] = "`" + key.name + "`"
		}
		result := ""
		if k.result != nil {
			result = k.result.String()
		}
		fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s |\n", k.name, strings.ReplaceAll(k.value, "|", "\\|"), k.node, strings.Join(keys, ", "), result)
	}
}
