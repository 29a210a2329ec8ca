package harness

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Pos is a place in a scenario file. It prints as FILE:LINE:COL.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Error is one problem in a scenario file.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// ErrorList is every problem found in a scenario file, sorted by position, one per line.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// err sorts the list and returns it, or nil when it is empty.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return l
}

// StepError is the failure of a step at run time: a read that failed, an encrypt out of range, an
// HTTP error, with no error steps to handle it; or a panic in a step's callback or pool task,
// which is a bug in looptest, never the scenario's.
type StepError struct {
	Pos      Pos
	Kind     string // the step's kind; "main" for the main program
	Err      error
	Panicked bool   // Err is the value of a panic
	Stack    []byte // where it panicked, when Panicked
}

func (e *StepError) Error() string {
	if e.Panicked {
		return e.Pos.String() + ": " + e.Kind + " panicked: " + e.Err.Error()
	}
	return e.Pos.String() + ": " + e.Kind + " failed: " + e.Err.Error()
}

func (e *StepError) Unwrap() error { return e.Err }

// problems collects errors while a file is decoded and checked.
type problems struct {
	file    string
	list    ErrorList
	depth   int  // how deep the steps being decoded are nested
	tooDeep bool // the nesting limit was reported
}

func (p *problems) pos(n *yaml.Node) Pos { return Pos{p.file, n.Line, n.Column} }

// at reports a problem with node n. A problem with an alias is not reported: reportAliases
// has reported the alias itself, and what it stands for is not looked at.
func (p *problems) at(n *yaml.Node, format string, args ...any) {
	if n.Kind == yaml.AliasNode {
		return
	}
	p.list = append(p.list, &Error{p.pos(n), fmt.Sprintf(format, args...)})
}
