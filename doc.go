// Package looptest holds no code: its tests are looptest's end-to-end tests. They run the command
// line through testscript (testdata/script), every shipped scenario in scenarios/ against its
// golden file, under the virtual clock and, with LOOPTEST_REAL=1, the real one and Node.js
// (node_test.go, through internal/nodecheck), and the catalogue of malformed files in
// testdata/bad, and check that a signal or a closed stdout stops a run cleanly. The command is
// cmd/looptest; docs/ and README.md describe it.
package looptest
