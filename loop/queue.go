package loop

// A callback is a queued function and the source it has in the trace. An internal one is the
// loop's own (the connect of a request), neither traced nor counted as a callback.
type callback struct {
	src      Source
	fn       func()
	internal bool
}

// fifo is a first-in first-out queue that reuses its storage: the nextTick and microtask queues
// are drained until empty, with callbacks adding to them as they run.
type fifo[T any] struct {
	items []T
	head  int
}

func (q *fifo[T]) len() int { return len(q.items) - q.head }

func (q *fifo[T]) push(v T) {
	if q.head > 0 && q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
	q.items = append(q.items, v)
}

// front returns the item pop would return; the queue must not be empty.
func (q *fifo[T]) front() T { return q.items[q.head] }

func (q *fifo[T]) pop() T {
	var zero T
	v := q.items[q.head]
	q.items[q.head] = zero
	q.head++
	if q.head > 1024 && q.head*2 > len(q.items) {
		// Mostly consumed while producers keep adding: slide the rest down.
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	return v
}

// An Immediate is a callback queued for the check phase (Node's setImmediate).
type Immediate struct {
	src  Source
	fn   func()
	done bool // ran or cleared
}
