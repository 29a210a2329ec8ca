package loop

import "unsafe"

// A callback is a queued function and the source it has in the trace. An internal one is the
// loop's own (the connect of a request), neither traced nor counted as a callback.
type callback struct {
	src      Source
	fn       func()
	internal bool
}

// fifo is a first-in first-out queue in chunks of 16 KiB that never copies: it grows by a chunk
// at a time, and a chunk it has emptied waits in a free list for reuse. The nextTick and
// microtask queues are drained until empty, with callbacks adding to them as they run.
type fifo[T any] struct {
	head, tail *chunk[T] // items are head.items[r:] through tail.items[:w]
	r, w       int
	n          int
	free       *chunk[T] // emptied chunks
}

type chunk[T any] struct {
	items []T
	next  *chunk[T]
}

func (q *fifo[T]) len() int { return q.n }

func (q *fifo[T]) push(v T) {
	if q.tail == nil || q.w == len(q.tail.items) {
		c := q.free
		if c != nil {
			q.free, c.next = c.next, nil
		} else {
			var zero T
			c = &chunk[T]{items: make([]T, max(1, slabBytes/int(unsafe.Sizeof(zero))))}
		}
		if q.tail == nil {
			q.head, q.r = c, 0
		} else {
			q.tail.next = c
		}
		q.tail, q.w = c, 0
	}
	q.tail.items[q.w] = v
	q.w++
	q.n++
}

// front returns the item pop would return; the queue must not be empty.
func (q *fifo[T]) front() T { return q.head.items[q.r] }

func (q *fifo[T]) pop() T {
	var zero T
	c := q.head
	v := c.items[q.r]
	c.items[q.r] = zero
	q.r++
	q.n--
	switch {
	case q.n == 0:
		q.r, q.w = 0, 0 // empty, so the head is the tail: start again at its front
	case q.r == len(c.items):
		q.head, q.r = c.next, 0
		c.next, q.free = q.free, c
	}
	return v
}

// An Immediate is a callback queued for the check phase (Node's setImmediate). The queue links
// them, as Node's ImmediateList does: queueing one copies nothing.
type Immediate struct {
	fn   func()
	next *Immediate // the next in the queue, or in the free list
	done bool       // ran or cleared
	kept bool       // a handle was handed out (SetImmediate): never reused
}

// immediateList is the queue of immediates, linked through next.
type immediateList struct{ head, tail *Immediate }

func (q *immediateList) push(im *Immediate) {
	if q.tail == nil {
		q.head = im
	} else {
		q.tail.next = im
	}
	q.tail = im
}

// slabBytes is the size of one allocation of records: 16 KiB, less the 8-byte header the Go
// allocator puts before a large object with pointers, so that the slab fills its size class.
const slabBytes = 16<<10 - 8

// Records per slab.
const (
	timerSlab     = slabBytes / int(unsafe.Sizeof(Timer{}))
	immediateSlab = slabBytes / int(unsafe.Sizeof(Immediate{}))
)

// records hands out timer and immediate records from slabs of 16 KiB, and takes back those no
// handle reaches once they are spent, for reuse: a million callbacks cost a few thousand
// allocations, and the collector a few thousand objects. A record whose handle was handed out is
// never taken back, so a handle never names another callback's record; its slab lives on while
// the handle does.
type records struct {
	immediates []Immediate // the rest of the current slab
	freeImm    *Immediate  // spent, linked through next
	timers     []Timer
	freeTimers *Timer // spent, linked through next
}

func (r *records) immediate() *Immediate {
	if im := r.freeImm; im != nil {
		r.freeImm, im.next = im.next, nil
		return im
	}
	if len(r.immediates) == 0 {
		r.immediates = make([]Immediate, immediateSlab)
	}
	im := &r.immediates[0]
	r.immediates = r.immediates[1:]
	return im
}

// putImmediate takes back a spent immediate that no handle reaches.
func (r *records) putImmediate(im *Immediate) {
	*im = Immediate{next: r.freeImm}
	r.freeImm = im
}

func (r *records) timer() *Timer {
	if t := r.freeTimers; t != nil {
		r.freeTimers, t.next = t.next, nil
		return t
	}
	if len(r.timers) == 0 {
		r.timers = make([]Timer, timerSlab)
	}
	t := &r.timers[0]
	r.timers = r.timers[1:]
	return t
}

// putTimer takes back a spent timer that no handle reaches.
func (r *records) putTimer(t *Timer) {
	*t = Timer{next: r.freeTimers}
	r.freeTimers = t
}
