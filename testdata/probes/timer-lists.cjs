// Probe: timer-lists (SPEC §2 rule 6).
// Node keeps one linked list of timers per delay (msecs) and a priority queue of lists
// keyed by (expiry, id): lib/internal/timers.js `compareTimersLists` breaks expiry ties by
// the list's id, `processTimers` takes the list at the head of the queue and
// `listOnTimeout` runs its due timers in creation order until one is not due; then it
// re-keys that list: `list.expiry = MathMax(timer._idleStart + msecs, now + 1);
// list.id = timerListId++` (a NEW id) and percolates it down.
//
// Part 1 (whole list first): main arms A=setTimeout(100), blocks 50 ms, arms B=100 and
//   C=75, blocks 200 ms more. At the first timers phase (~250 ms) all three are due;
//   deadlines A=100, C=125, B=150, but the 100-list (expiry 100) holds A then B.
// Part 2 (tie by id): list P (delay 160) armed at start s, list O (delay 120) armed at
//   s+40 exactly: both expire at s+160; P's list was created first (lower id).
// Part 3 (re-key gives a new id): list R (delay 160) gets R1 at s and R2 at s+40; list Q
//   (delay 120) is created at s+80: Q and R2 both expire at s+200. At s+160 R1 runs alone
//   and R is re-keyed to expiry s+200 with a fresh id, higher than Q's. At s+200: which first?
// Starts are Node's whole-ms timer starts, read from Timeout._idleStart (getLibuvNow());
// `armAligned` busy-waits until the loop time reads the wanted offset and retries if the
// process was preempted past it, so the ties are exact.
//
// Node v20.20.2 printed, 10 of 10 runs:
//   part1: A
//   part1: B
//   part1: C
//   part2: P (delay 160, created first)
//   part2: O (delay 120, created second)
//   part3: R1
//   part3: Q (delay 120)
//   part3: R2 (delay 160, list re-keyed)
// i.e. a whole list runs before the next (A, B before C although C's deadline 125 < B's
// 150); equal expiry: the list with the lower id (created earlier) first, whatever its
// delay; a re-keyed list takes a new id, so it loses ties to every list created before the
// re-key (without the new id, R, created first, would have run R2 before Q).
'use strict';

function block(ms) { const end = performance.now() + ms; while (performance.now() < end); }
// The whole-ms start Node gives a timer armed now (getLibuvNow(), which refreshes the loop
// time). A throwaway delay keeps the probe's lists untouched.
function nowMs() { const t = setTimeout(() => {}, 999999); const s = t._idleStart; clearTimeout(t); return s; }
function waitUntil(ms) { while (nowMs() < ms); }

function part1(next) {
  let n = 0;
  const done = () => { if (++n === 3) setTimeout(next, 30); };
  setTimeout(() => { console.log('part1: A'); done(); }, 100);
  block(50);
  setTimeout(() => { console.log('part1: B'); done(); }, 100);
  setTimeout(() => { console.log('part1: C'); done(); }, 75);
  block(200);
}

// Arms timers at exact whole-ms offsets from the first one's start; if the process was
// preempted past an offset (the loop time jumped), clears them all and tries again.
function armAligned(specs) {
  for (;;) {
    const timers = [];
    let ok = true, s;
    for (const [offset, delay, fn] of specs) {
      if (timers.length > 0) waitUntil(s + offset);
      const t = setTimeout(fn, delay);
      if (timers.length === 0) s = t._idleStart;
      else if (t._idleStart !== s + offset) ok = false;
      timers.push(t);
    }
    if (ok) return;
    timers.forEach(clearTimeout);
  }
}

function part2(next) {
  let n = 0;
  const done = () => { if (++n === 2) setTimeout(next, 30); };
  armAligned([
    [0, 160, () => { console.log('part2: P (delay 160, created first)'); done(); }],
    [40, 120, () => { console.log('part2: O (delay 120, created second)'); done(); }],
  ]);
}

function part3() {
  const done = () => {};
  armAligned([
    [0, 160, () => { console.log('part3: R1'); done(); }],
    [40, 160, () => { console.log('part3: R2 (delay 160, list re-keyed)'); done(); }],
    [80, 120, () => { console.log('part3: Q (delay 120)'); done(); }],
  ]);
}

part1(() => part2(part3));
