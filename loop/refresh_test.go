package loop

import (
	"fmt"
	"slices"
	"testing"
)

// The tests of Refresh and Unref follow Node 20 as testdata/probes/timer-refresh-unref.cjs
// measured it; each names the part of the probe it pins.

// TestRefreshFiredTimeoutRearms: a timeout that fired and was not cleared fires again, its
// delay after the refresh (part A).
func TestRefreshFiredTimeoutRearms(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		tm := l.SetTimeout(50*ms, Label("T"), log("T"))
		l.SetTimeout(80*ms, Label("r"), func() { log("refresh T")(); l.Refresh(tm) })
		l.SetTimeout(110*ms, Label("110"), log("timer 110"))
		l.SetTimeout(160*ms, Label("160"), log("timer 160"))
	})
	expect(t, got, "T", "refresh T", "timer 110", "T", "timer 160")
}

// TestRefreshClearedDoesNothing: a cleared timer stays cleared, before it was due or after it
// fired (part B, and clearTimeout of a fired timeout, which drops its callback).
func TestRefreshClearedDoesNothing(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		a := l.SetTimeout(50*ms, Label("A"), log("A"))
		l.ClearTimer(a)
		l.Refresh(a)
		b := l.SetTimeout(10*ms, Label("B"), log("B"))
		l.SetTimeout(30*ms, Label("r"), func() { l.ClearTimer(b); l.Refresh(b); l.Refresh(a) })
		l.SetTimeout(100*ms, Label("100"), log("timer 100"))
	})
	expect(t, got, "B", "timer 100")
}

// TestRefreshInterval: an interval's next run counts from the refresh, then from its runs as
// before (part C).
func TestRefreshInterval(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		n := 0
		var iv *Timer
		iv = l.SetInterval(50*ms, Label("I"), func() {
			n++
			log("interval")()
			if n == 3 {
				l.ClearTimer(iv)
			}
		})
		l.SetTimeout(75*ms, Label("r"), func() { log("refresh")(); l.Refresh(iv) })
		l.SetTimeout(115*ms, Label("115"), log("timer 115"))
		l.SetTimeout(140*ms, Label("140"), log("timer 140"))
	})
	expect(t, got, "interval", "refresh", "timer 115", "interval", "timer 140", "interval")
}

// TestRefreshInOwnCallback: a timeout refreshed by its own callback fires again; an interval
// refreshed by its own callback after a block is rearmed from its callback's start all the same
// (parts D and E).
func TestRefreshInOwnCallback(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		n := 0
		var tm *Timer
		tm = l.SetTimeout(50*ms, Label("T"), func() {
			n++
			log("T")()
			if n == 1 {
				l.Refresh(tm)
			}
		})
		l.SetTimeout(80*ms, Label("80"), log("timer 80"))
		l.SetTimeout(120*ms, Label("120"), log("timer 120"))
	})
	expect(t, got, "T", "timer 80", "T", "timer 120")

	got = run(t, 4, func(l *Loop, log func(string) func()) {
		n := 0
		var iv *Timer
		iv = l.SetInterval(50*ms, Label("I"), func() {
			n++
			log("interval")()
			switch n {
			case 1:
				l.Block(30 * ms)
				l.Refresh(iv)
			case 2:
				l.ClearTimer(iv)
			}
		})
		l.SetTimeout(120*ms, Label("120"), log("timer 120"))
	})
	expect(t, got, "interval", "interval", "timer 120")
}

// TestRefreshGoesToTheBack: a refreshed timer goes behind the timers of its delay armed before
// the refresh, and starts from the loop time read afresh (parts H, I and J).
func TestRefreshGoesToTheBack(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		a := l.SetTimeout(100*ms, Label("A"), log("A"))
		l.SetTimeout(100*ms, Label("B"), log("B"))
		l.Refresh(a)
	})
	expect(t, got, "B", "A")

	got = run(t, 4, func(l *Loop, log func(string) func()) {
		a := l.SetTimeout(100*ms, Label("A"), log("A"))
		l.SetTimeout(130*ms, Label("C"), log("C"))
		l.Block(50 * ms)
		l.Refresh(a)
	})
	expect(t, got, "C", "A")

	got = run(t, 4, func(l *Loop, log func(string) func()) {
		var b *Timer
		l.SetTimeout(100*ms, Label("A"), func() { log("A")(); l.Refresh(b) })
		b = l.SetTimeout(100*ms, Label("B"), log("B"))
		l.SetTimeout(150*ms, Label("C"), log("C"))
	})
	expect(t, got, "A", "C", "B")
}

// TestUnref: unref'd timers fire while something else keeps the loop alive, and the loop ends
// when only they are left; a refresh keeps a timer unref'd (parts F, G, K and L).
func TestUnref(t *testing.T) {
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		l.Unref(l.SetInterval(10*ms, Label("I"), log("interval")))
		log("main end")()
	})
	expect(t, got, "main end")

	got = run(t, 4, func(l *Loop, log func(string) func()) {
		l.Unref(l.SetTimeout(50*ms, Label("U"), log("unref timeout 50")))
		l.Unref(l.SetInterval(30*ms, Label("I"), log("unref interval 30")))
		l.SetTimeout(100*ms, Label("T"), log("timer 100"))
	})
	expect(t, got, "unref interval 30", "unref timeout 50", "unref interval 30", "unref interval 30", "timer 100")

	got = run(t, 4, func(l *Loop, log func(string) func()) {
		u := l.SetTimeout(30*ms, Label("U"), log("U"))
		l.Unref(u)
		l.SetTimeout(60*ms, Label("r"), func() { log("refresh U")(); l.Refresh(u) })
	})
	expect(t, got, "U", "refresh U")
}

// TestRefreshManyKeepsOrder refreshes timers of one list over and over, so that the list's
// empty places are compacted away, and checks that they fire in the order of the refreshes.
func TestRefreshManyKeepsOrder(t *testing.T) {
	const n = 100
	var order []string // the list, as the refreshes leave it
	name := func(i int) string { return fmt.Sprint("t", i) }
	got := run(t, 4, func(l *Loop, log func(string) func()) {
		var ts []*Timer
		for i := range n {
			ts = append(ts, l.SetTimeout(10*ms, Label(name(i)), log(name(i))))
			order = append(order, name(i))
		}
		for round := range 3 {
			for i := n - 1; i >= 0; i -= 1 + round {
				l.Refresh(ts[i])
				order = append(slices.DeleteFunc(order, func(s string) bool { return s == name(i) }), name(i))
			}
		}
		l.SetTimeout(20*ms, Label("end"), log("end"))
	})
	expect(t, got, append(order, "end")...)
}
