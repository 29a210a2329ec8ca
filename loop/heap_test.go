package loop

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// item is a heap element that keeps its index, as the timer lists do.
type item struct {
	key, index int
}

func (a *item) less(b *item) bool { return a.key < b.key }
func (a *item) setIndex(i int)    { a.index = i }

// TestMinHeapMatchesModel drives a minHeap with random pushes, pops, removals by index and key
// changes, and checks every top and every index against a plain slice.
func TestMinHeapMatchesModel(t *testing.T) {
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, 2))
		var h minHeap[*item]
		var model []*item
		for range 1000 {
			switch op := rng.IntN(4); {
			case op == 0 || len(model) == 0:
				it := &item{key: rng.IntN(100)}
				h.push(it)
				model = append(model, it)
			case op == 1:
				got := h.pop()
				if got.index != -1 {
					t.Fatalf("seed %d: a popped element has index %d, want -1", seed, got.index)
				}
				model = slices.DeleteFunc(model, func(x *item) bool { return x == got })
			case op == 2:
				it := model[rng.IntN(len(model))]
				if got := h.remove(it.index); got != it {
					t.Fatalf("seed %d: remove(%d) removed another element", seed, it.index)
				}
				model = slices.DeleteFunc(model, func(x *item) bool { return x == it })
			default:
				it := model[rng.IntN(len(model))]
				it.key = rng.IntN(100)
				h.fix(it.index)
			}
			if h.len() != len(model) {
				t.Fatalf("seed %d: len = %d, want %d", seed, h.len(), len(model))
			}
			for i, x := range h.items {
				if x.index != i {
					t.Fatalf("seed %d: the element at %d has index %d", seed, i, x.index)
				}
			}
			if len(model) > 0 {
				least := slices.MinFunc(model, func(a, b *item) int { return a.key - b.key })
				if h.top().key != least.key {
					t.Fatalf("seed %d: top key %d, want %d", seed, h.top().key, least.key)
				}
			}
		}
	}
}
