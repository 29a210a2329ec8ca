package loop

import "unsafe"

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

// An Immediate is a callback queued for the check phase (Node's setImmediate). The queue links
// them, as Node's ImmediateList does: queueing one copies nothing.
type Immediate struct {
	src  Source
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
