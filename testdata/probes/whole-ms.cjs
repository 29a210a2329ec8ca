// Probe: whole-ms (SPEC §2 rules 7 and 9).
// Node's loop time and timer starts are whole milliseconds: lib/internal/timers.js `insert`
// takes `start = getLibuvNow()`; src/timers.cc GetLibuvNow -> Environment::GetNowUint64
// calls uv_update_time (refreshing the loop's cached time) and returns uv_now, whole ms
// (libuv src/unix/core.c uv__update_time: uv__hrtime(UV_CLOCK_FAST) / 1000000).
// `listOnTimeout` runs a timer when `now - timer._idleStart >= msecs`.
//
// Part 1 (same ms): wait until the loop time has just ticked to a new ms, arm T1 =
//   setTimeout(40), busy-wait 0.2 ms, arm T2 = setTimeout(40). Both get the same whole-ms
//   start, so the same deadline, and run in one timers phase: an immediate queued by T1
//   runs after T2.
// Part 2 (adjacent ms): arm U1 = setTimeout(40), busy-wait until the loop time reads one ms
//   later (at most ~1 ms of real time later), arm U2 = setTimeout(40). Deadlines differ by
//   1 ms; when U1's phase runs at its deadline, U2 is not yet due, so the immediate queued
//   by U1 runs between them (if the loop woke >= 1 ms late, they would share a phase).
// Part 3 (setTimeout reads a fresh time): arm Y = setTimeout(60), block 50 ms, arm X =
//   setTimeout(20). With a fresh start X is due at 70, after Y (60); with the cached loop
//   time (0) it would be due at 20, before Y.
//
// Node v20.20.2 printed (parts 1 and 3: 10 of 10 runs; part 2 is a real-time race):
//   part1: same start: true
//   part1: T1
//   part1: T2
//   part1: immediate queued by T1
//   part2: U2 start - U1 start = 1
//   part2: U1
//   part2: immediate queued by U1      <- 45 of 50 runs (9/10, 27/30, 9/10);
//   part2: U2                          <- the other 5 print U2 before the immediate
//   part3: Y (60 ms, armed before the block)
//   part3: X (20 ms, armed after the 50 ms block)
// Part 2's exception is the loop waking >= 1 ms after U1's deadline (a loaded 2-CPU
// machine), which makes U2 due in the same phase: itself a consequence of whole-ms
// deadlines, but decided by real time.
'use strict';

function block(ms) { const end = performance.now() + ms; while (performance.now() < end); }
function nowMs() { const t = setTimeout(() => {}, 999999); const s = t._idleStart; clearTimeout(t); return s; }

function part1(next) {
  let t1, t2;
  for (;;) {
    const m = nowMs();
    let m2;
    while ((m2 = nowMs()) === m);          // the loop time just ticked to m2
    t1 = setTimeout(() => {
      console.log('part1: T1');
      setImmediate(() => { console.log('part1: immediate queued by T1'); setTimeout(next, 30); });
    }, 40);
    block(0.2);
    t2 = setTimeout(() => console.log('part1: T2'), 40);
    if (t1._idleStart === m2 && t2._idleStart === m2) break;
    clearTimeout(t1); clearTimeout(t2);     // preempted across a tick: try again
  }
  console.log('part1: same start: ' + (t1._idleStart === t2._idleStart));
}

function part2(next) {
  let u1, u2;
  for (;;) {
    const m = nowMs();
    while (nowMs() === m);                  // start right after a tick
    u1 = setTimeout(() => {
      console.log('part2: U1');
      setImmediate(() => console.log('part2: immediate queued by U1'));
    }, 40);
    while (nowMs() === u1._idleStart);      // the next whole ms
    u2 = setTimeout(() => { console.log('part2: U2'); setTimeout(next, 30); }, 40);
    if (u2._idleStart === u1._idleStart + 1) break;
    clearTimeout(u1); clearTimeout(u2);
  }
  console.log('part2: U2 start - U1 start = ' + (u2._idleStart - u1._idleStart));
}

function part3() {
  setTimeout(() => console.log('part3: Y (60 ms, armed before the block)'), 60);
  block(50);
  setTimeout(() => console.log('part3: X (20 ms, armed after the 50 ms block)'), 20);
}

part1(() => part2(part3));
