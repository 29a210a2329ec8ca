package explore

import (
	"container/heap"
	"math"
)

// inversions returns the first k pairs of units that b runs in the other order than a, nearest
// in a first (by their distance in a, then by where the earlier one is in a), and how many such
// pairs there are in all. A unit is told apart from its repeats by its occurrence number.
//
// There can be n²/2 pairs for n units, so they are neither listed nor kept: the count comes from
// a Fenwick tree and the first k from a heap of each unit's nearest pair not yet taken, found
// with a tree of minimums, so that it takes O((n + k) log n) time and O(n) memory.
func inversions(a, b []Unit, k int) (swaps []Swap, total int) {
	inB := make(map[occurrence]int, len(b)) // where each occurrence runs in b
	for i, o := range occurrences(b) {
		inB[o] = i
	}
	at := make([]int, len(a)) // at[i]: where a[i] runs in b, or -1 if it does not
	for i, o := range occurrences(a) {
		if j, ok := inB[o]; ok {
			at[i] = j
		} else {
			at[i] = -1
		}
	}
	total = countInversions(at, len(b))
	if total == 0 || k <= 0 {
		return nil, total
	}
	mins := newMinTree(at)
	h := &pairHeap{}
	for i, x := range at {
		if x < 0 {
			continue
		}
		if j := mins.firstBelow(i+1, x); j >= 0 {
			h.ps = append(h.ps, pair{i, j})
		}
	}
	heap.Init(h)
	for h.Len() > 0 && len(swaps) < k {
		p := heap.Pop(h).(pair)
		swaps = append(swaps, Swap{First: a[p.j], Second: a[p.i]})
		if j := mins.firstBelow(p.j+1, at[p.i]); j >= 0 {
			heap.Push(h, pair{p.i, j})
		}
	}
	return swaps, total
}

// countInversions counts the pairs i < j with at[i] > at[j], both at least 0 and below n.
func countInversions(at []int, n int) int {
	tree := make([]int, n+1) // a Fenwick tree of how many of the values seen so far are each value
	seen, total := 0, 0
	for _, x := range at {
		if x < 0 {
			continue
		}
		below := 0 // values seen so far that are at most x
		for i := x + 1; i > 0; i -= i & -i {
			below += tree[i]
		}
		total += seen - below
		for i := x + 1; i <= n; i += i & -i {
			tree[i]++
		}
		seen++
	}
	return total
}

// A minTree holds the minimum of every power-of-two-aligned range of values, -1 (absent) counting
// as the largest.
type minTree struct {
	size int   // a power of two, at least the number of values
	m    []int // m[1] is the root; the leaves are m[size:]
}

func newMinTree(at []int) *minTree {
	size := 1
	for size < len(at) {
		size *= 2
	}
	t := &minTree{size: size, m: make([]int, 2*size)}
	for i := range t.m {
		t.m[i] = math.MaxInt
	}
	for i, x := range at {
		if x >= 0 {
			t.m[size+i] = x
		}
	}
	for i := size - 1; i > 0; i-- {
		t.m[i] = min(t.m[2*i], t.m[2*i+1])
	}
	return t
}

// firstBelow returns the first index at or after from whose value is below x, or -1.
func (t *minTree) firstBelow(from, x int) int {
	if from >= t.size {
		return -1
	}
	return t.find(1, 0, t.size, from, x)
}

// find searches node, which covers [lo, hi).
func (t *minTree) find(node, lo, hi, from, x int) int {
	if hi <= from || t.m[node] >= x {
		return -1
	}
	if hi-lo == 1 {
		return lo
	}
	mid := (lo + hi) / 2
	if i := t.find(2*node, lo, mid, from, x); i >= 0 {
		return i
	}
	return t.find(2*node+1, mid, hi, from, x)
}

// A pair is two units of a, i before j, that run in the other order.
type pair struct{ i, j int }

// pairHeap orders pairs by their distance in a, then by i.
type pairHeap struct{ ps []pair }

func (h *pairHeap) Len() int { return len(h.ps) }
func (h *pairHeap) Less(x, y int) bool {
	p, q := h.ps[x], h.ps[y]
	if dp, dq := p.j-p.i, q.j-q.i; dp != dq {
		return dp < dq
	}
	return p.i < q.i
}
func (h *pairHeap) Swap(x, y int) { h.ps[x], h.ps[y] = h.ps[y], h.ps[x] }
func (h *pairHeap) Push(v any)    { h.ps = append(h.ps, v.(pair)) }
func (h *pairHeap) Pop() any {
	p := h.ps[len(h.ps)-1]
	h.ps = h.ps[:len(h.ps)-1]
	return p
}

// before reports whether first runs before second in us (their first occurrences).
func before(us []Unit, first, second Unit) bool {
	fk, sk := first.key(), second.key()
	i, j := -1, -1
	for k := 0; k < len(us) && (i < 0 || j < 0); k++ {
		uk := us[k].key()
		if i < 0 && uk == fk {
			i = k
		}
		if j < 0 && uk == sk {
			j = k
		}
	}
	return i >= 0 && j >= 0 && i < j
}

// An occurrence is a unit told apart from its repeats: the n-th time, from 0, its key appears.
type occurrence struct {
	key unitKey
	n   int
}

// occurrences returns the occurrence of each of us.
func occurrences(us []Unit) []occurrence {
	seen := map[unitKey]int{}
	out := make([]occurrence, len(us))
	for i, u := range us {
		k := u.key()
		out[i] = occurrence{k, seen[k]}
		seen[k]++
	}
	return out
}
