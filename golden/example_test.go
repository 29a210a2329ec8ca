package golden_test

import (
	"fmt"
	"os"

	"github.com/looptest/looptest/golden"
)

func ExampleDiff() {
	fmt.Printf("%s", golden.Diff("a.golden", []byte("one\ntwo\n"), "a.yaml", []byte("one\nthree\n")))
	// Output:
	// --- a.golden (golden)
	// +++ a.yaml (got)
	// @@ -1,2 +1,2 @@
	//  one
	// -two
	// +three
}

func ExampleSideBySide() {
	left := []byte("a\nb\nd\nf\n")
	right := []byte("a\nc\nf\ne\n")
	same, err := golden.SideBySide(os.Stdout, "left.txt", left, "right.txt", right, 22)
	fmt.Println(same, err)
	// Output:
	//   left.txt │ right.txt
	//   a        │ a
	// | b        │ c
	// < d        │
	//   f        │ f
	// >          │ e
	// orderings differ: 1 line only on the left, 1 only on the right, 1 changed
	// false <nil>
}
