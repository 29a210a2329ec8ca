// Package stale sweeps what a killed looptest process left behind: sandboxes and temporary
// golden files whose names carry the process id of their owner, removed once no live process
// has that id.
package stale

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Name returns prefix followed by this process's id and a dash: the start of the name of a file
// or directory that Sweep may remove once this process is gone.
func Name(prefix string) string { return prefix + strconv.Itoa(os.Getpid()) + "-" }

// Sweep removes the entries of dir named prefix, a process id, a dash and anything, whose
// process is not alive. It leaves everything else alone, and reports nothing: what it cannot
// remove stays for a later sweep.
func Sweep(dir, prefix string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok {
			continue
		}
		id, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(id)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() || alive(pid) {
			continue
		}
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}
