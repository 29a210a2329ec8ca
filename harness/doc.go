// Package harness loads scenario files and runs them on a loop: it decodes a file from its YAML
// nodes (every problem reported at once, each at its FILE:LINE:COL), checks names, ids and
// intervals, compiles the steps into callbacks once, and runs them in a fresh sandbox under the
// virtual or the real clock. Promises follow ECMAScript's algorithms (promise.go), each job a
// microtask of the loop, and an async body runs as a coroutine that an await suspends
// (fiber.go). It also writes a scenario as a Node.js program (WriteNode; js.go
// walks the steps, internal/nodejs holds the runtime). The package knows nothing of epoll: time
// and I/O are the loop's backends.
//
// # Adding a step kind
//
// Each kind of step (log, timeout, read, http, ...) is one file, kind_NAME.go, holding one *kind
// value, plus its line in the kinds table of kind.go (kept sorted; TestKindsSorted checks it).
// The value provides (kind.go documents each field):
//
//   - name, value, schema, template, keys, node, summary: the key, what its value is and its
//     JSON schema, whether it may hold ${...}, the other keys it takes (each a *key with its
//     description and schema; the shared ones, keyThen, keyAs, keyCost..., are declared once in
//     kind.go), its Node.js analogue and what it does. 'looptest help format', 'looptest
//     schema' and the table of docs/format.md are generated from them ('LOOPTEST_UPDATE=1 go
//     test ./harness' rewrites the table; TestFormatDocTable fails until you do).
//   - result: the value type that as binds, with its fields, for a kind that takes as.
//   - delay: for a timer, its delay, which explore leaves exact unless --timers.
//   - then, clearJS, needs: when its then runs (for the warnings of races), the function that
//     clear calls for it in Node.js, and the features of the Node.js runtime it needs.
//   - idPromise, asAfter and compileAfter, nested: for the promise kinds, that an id names the
//     step's promise, that as binds for the steps after it (await), and the lists of steps it
//     holds besides then, error and closed (a body, a chain's handlers, a source's executor).
//   - decode: reads the value into the step's payload (s.arg, a type of the kind's own) or, for
//     text with ${...}, s.text, whose names the checker resolves. The common keys (then, error,
//     closed, id, as, repeat) are read for it.
//   - decodeKey: reads the keys that are the kind's own (cost, delay, times...). A key whose
//     value may hold ${...} decodes it with decodeVarying (varying.go): a fixed value into the
//     payload, once, and text with ${...} into a *varying that the checker resolves and the
//     compiled step reads each time it runs (a bad result ends the run at the step).
//   - check (optional): what needs the whole file; c.later runs after every step is checked.
//   - compile: the action that performs it on the loop. Every loop operation it makes carries
//     the step's *Source (s.source(), or newOpSource for a value with ${...}), so that the
//     trace, explore, the timeline and test's annotations name the step; durations go through
//     r.duration with a Timing, so that explore can perturb them.
//   - js: the statement of the Node.js program, through g.w (internal/nodejs.Writer); a function
//     the steps call belongs in internal/nodejs/runtime.js.
//
// TestKindTableAlone registers a toy kind through the table alone and finds it in each of
// these places.
//
// Then a scenario under scenarios/ with its golden, reasoned from the rules, and a program in
// testdata/node.
package harness
