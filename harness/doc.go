// Package harness loads scenario files and runs them on a loop: it decodes a file from its YAML
// nodes (every problem reported at once, each at its FILE:LINE:COL), checks names, ids and
// intervals, compiles the steps into callbacks once, and runs them in a fresh sandbox under the
// virtual or the real clock. It also writes a scenario as a Node.js program (WriteNode).
//
// Each kind of step (log, timeout, read, http, ...) is one value in a file of its own,
// kind_NAME.go, listed in the table of kind.go; see the README's "Adding a step kind". The
// package knows nothing of epoll: time and I/O are the loop's backends.
package harness
