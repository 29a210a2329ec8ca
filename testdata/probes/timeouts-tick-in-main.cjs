// Probe: timeouts-tick-in-main (SPEC §2 rules 6 and 7; what `looptest explore` spreads main's
// time for).
// setTimeout reads the clock afresh (lib/internal/timers.js insert: start = getLibuvNow(),
// which calls uv_update_time), so a millisecond may end between two setTimeout calls of main,
// and the later timer then starts, and is due, a millisecond later. Main arms a 1 ms, a 0 ms
// (a 1 ms timer: one list with the first), a 2 ms and a 0 ms timeout, a, b, c, d, then prints
// the timers' starts relative to a's (_idleStart) after they have run. When d starts a
// millisecond after c and the first timers phase runs at a's deadline, d is not yet due: its
// list is due again at c's deadline, and c's list comes first.
//
// Node v20.20.2, plain `node timeouts-tick-in-main.cjs` (no alignment to a millisecond), on a
// loaded two-core machine:
//   a b d c      <- 56 of 60 runs (the starts: 0 0 0 0 in most, 0 1 1 1, 0 0 1 1, 0 2 2 2 ...)
//   a b c d      <- 4 of 60 runs (starts 0 0 0 1)
// And in 20 more runs: a b d c 19 (starts 0 0 0 0: 16, 0 1 1 1: 2, 0 2 2 2: 1), a b c d 1
// (starts 0 0 0 1).
// With the starts printed from main instead (before the timers run, which delays the first
// timers phase), 9 of 30 runs had starts that differ within main (21 of 30: 0 0 0 0; 3:
// 0 0 0 1; 1: 0 0 1 1; 3: 0 1 1 1; 1: 0 2 2 2; 1: 0 9 9 9), all printing a b d c.
'use strict';
const out = [];
const ts = [];
ts.push(setTimeout(() => { console.log('a'); }, 1));
ts.push(setTimeout(() => { console.log('b'); }, 0));
ts.push(setTimeout(() => { console.log('c'); }, 2));
ts.push(setTimeout(() => { console.log('d'); }, 0));
setTimeout(() => {
  const base = ts[0]._idleStart;
  console.log('starts', ts.map((t) => t._idleStart - base).join(' '));
}, 20);
