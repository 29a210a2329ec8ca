package harness

import (
	"fmt"

	"github.com/looptest/looptest/loop"
)

// A Source names the step that a loop operation, or a printed line, comes from. It is what the
// harness hands the loop (loop.Source), so that every event of a run, and every line of its
// ordering, keeps the step it belongs to as a value; it becomes text only where it is shown.
type Source struct {
	Kind string // the step's kind: timeout, read, log, ...
	// Value is the step's value: a timer's delay as the loop runs it; for a step whose value has
	// ${...} references, the value as rendered for this run; otherwise as written.
	Value string
	Pos   Pos // where the step's kind key is
	// Part names one request of an operation that makes several: a read's cost, open, fstat
	// and read ("" for its close, whose callback runs the step's steps).
	Part string
}

// String formats the source as the trace shows it: "read notes.txt (f.yaml:12:5): open".
func (s *Source) String() string {
	v := s.Value
	if v != "" {
		v = " " + v
	}
	if s.Part != "" {
		return fmt.Sprintf("%s%s (%s): %s", s.Kind, v, s.Pos, s.Part)
	}
	return fmt.Sprintf("%s%s (%s)", s.Kind, v, s.Pos)
}

// part returns the source of one request of the operation that s names.
func (s *Source) part(name string) *Source {
	p := *s
	p.Part = name
	return &p
}

// SourceOf returns the step that src, the source of a loop event of a scenario's run, names:
// the step itself, or the step of the request whose timeout it is. It returns nil for a source
// that names no step.
func SourceOf(src loop.Source) *Source {
	switch s := src.(type) {
	case *Source:
		return s
	case *loop.TimeoutOf:
		return SourceOf(s.Request)
	}
	return nil
}
