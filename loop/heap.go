package loop

// heapElem is what a minHeap holds: elements that order themselves and are told their index.
type heapElem[T any] interface {
	less(T) bool
	// setIndex is told the element's index whenever it moves, and -1 when it leaves the heap, so
	// that its owner can fix or remove it in place. Elements found only by popping ignore it.
	setIndex(int)
}

// A minHeap is a binary min-heap: container/heap's algorithms on a typed slice, so that
// elements are neither boxed into an any nor compared through an interface value. The timer
// lists and the virtual backend's pending I/O are both kept in one.
type minHeap[T heapElem[T]] struct {
	items []T
}

func (h *minHeap[T]) len() int { return len(h.items) }

// top returns the least element; the heap must not be empty.
func (h *minHeap[T]) top() T { return h.items[0] }

func (h *minHeap[T]) push(x T) {
	h.items = append(h.items, x)
	n := len(h.items) - 1
	x.setIndex(n)
	h.up(n)
}

// pop removes and returns the least element.
func (h *minHeap[T]) pop() T { return h.remove(0) }

// remove removes and returns the element at index i.
func (h *minHeap[T]) remove(i int) T {
	n := len(h.items) - 1
	if i != n {
		h.swap(i, n)
	}
	x := h.items[n]
	var zero T
	h.items[n] = zero
	h.items = h.items[:n]
	if i != n {
		h.fix(i)
	}
	x.setIndex(-1)
	return x
}

// fix restores the order after the element at index i changed.
func (h *minHeap[T]) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h *minHeap[T]) swap(i, j int) {
	s := h.items
	s[i], s[j] = s[j], s[i]
	s[i].setIndex(i)
	s[j].setIndex(j)
}

func (h *minHeap[T]) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if !h.items[j].less(h.items[i]) {
			break
		}
		h.swap(i, j)
		j = i
	}
}

// down moves the element at i0 down and reports whether it moved.
func (h *minHeap[T]) down(i0 int) bool {
	i, n := i0, len(h.items)
	for {
		j := 2*i + 1
		if j >= n {
			break
		}
		if r := j + 1; r < n && h.items[r].less(h.items[j]) {
			j = r
		}
		if !h.items[j].less(h.items[i]) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}
