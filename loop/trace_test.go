package loop

import "testing"

func TestKindCallback(t *testing.T) {
	callbacks := map[Kind]bool{
		KindTimerFired: true, KindImmediateRun: true, KindNextTickRun: true, KindMicrotaskRun: true,
		KindTaskDone: true, KindResponseDone: true, KindClose: true,
	}
	for k := KindTick; k <= KindLog; k++ {
		if got := k.Callback(); got != callbacks[k] {
			t.Errorf("%v.Callback() = %v, want %v", Event{Kind: k, Source: Label("x")}, got, callbacks[k])
		}
	}
}
