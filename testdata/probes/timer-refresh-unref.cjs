// Probe: timer-refresh-unref (SPEC §1 unref and refresh; §2 rules 6 and 7).
// timer.refresh() is lib/internal/timers.js Timeout.prototype.refresh -> insertGuarded(item,
// refed) -> insert(item, msecs, getLibuvNow()): a fresh start, read from the clock, and
// L.append, which takes the timer out of its list if it is in one and appends it at the back
// (the list keeps its expiry); insertGuarded returns at once when _idleTimeout is -1 (unenroll,
// that is clearTimeout before the timer was done), and otherwise rearms a timer that fired
// (_destroyed) and counts it as ref'd again if it is. clearTimeout also sets _onTimeout to
// null, so a cleared timer that refresh puts back runs nothing. listOnTimeout rearms an
// interval from its callback's start after the callback (insert again, at the back), whatever
// the callback did. timer.unref() decrements the ref count of the timers' libuv handle:
// processTimers returns -nextExpiry when no ref'd timer is left, and the handle is unref'd,
// so the loop is not kept alive (uv__loop_alive), while the timer still fires if something
// else keeps the loop running.
//
// Each part runs as the main program of a child process; 'exit' is logged.
// A: T (50) fires; at 80, T.refresh(); timers at 110 and 160.
// B: T (50) cleared in main, then refreshed, and again at 30; a timer at 100.
// C: an interval (50, cleared after 3 runs), refreshed at 75; timers at 115 and 140.
// D: T (50) refreshes itself in its first run; timers at 80 and 120.
// E: an interval (50) blocks 30 ms in its first run, then refreshes itself; cleared in its
//    second run; timers at 120 and 140.
// F: an unref'd interval (10) alone.
// G: an unref'd timeout (50), an unref'd interval (30), a timer at 100.
// H: A and B (100), A refreshed at once.
// I: A (100), C (130), a 50 ms block, A refreshed.
// J: A (100) refreshes B (100, armed after it); C (150).
// K: an unref'd timeout (50), refreshed at once.
// L: an unref'd timeout (30); at 60, it is refreshed.
// M: A (10), cleared at 30 after it fired, then refreshed; B (50) clears itself in its
//    callback and is refreshed at 70; a timer at 200.
//
// Node v20.20.2 printed, 10 of 10 runs (part D 9 of 10: once its second run came after
// `timer 120`). Run again 10 times with the machine's load average at 9 to 15 on 2 cores,
// 6 runs printed exactly this; the others had timers 15 to 20 ms late, which swapped the
// nearest lines: D's second run after `timer 120` (3 runs), C's second run after `timer 140`
// (2), G's third interval run after `timer 100` (1):
//   partA: T (50) fired / at 80: refresh T / timer 110 / T (50) fired / timer 160 / exit
//   partB: at 30: refresh T again / timer 100 / exit
//   partC: interval 50 run 1 / at 75: refresh the interval / timer 115 / interval 50 run 2 /
//          timer 140 / interval 50 run 3 / exit
//   partD: T (50) run 1 / timer 80 / T (50) run 2 / timer 120 / exit
//   partE: interval 50 run 1 / interval 50 run 2 / timer 120 / timer 140 / exit
//   partF: main end / exit
//   partG: unref interval 30 / unref timeout 50 / unref interval 30 / unref interval 30 /
//          timer 100 / exit
//   partH: B (100) / A (100) / exit
//   partI: C (130) / A (100), refreshed after a 50 ms block / exit
//   partJ: A (100): refresh B / C (150) / B (100) / exit
//   partK: main end / exit
//   partL: U (30) fired / at 60: refresh U / exit
//   partM: A (10) fired / at 30: cleared A, which fired, and refreshed it / B (50) fired,
//          clears itself / at 70: refreshed B / timer 200 / exit
// Reading: a refresh rearms a timeout that fired (A, D) unless it was cleared (B, M); an
// interval's next run counts from the refresh (C: 125, not 100), but one refreshed in its
// own callback is rearmed from that callback's start all the same (E: run 2 at 100, not
// 130); a refreshed timer goes behind the others of its delay (H, J) and starts at the loop
// time read afresh (I); an unref'd timer runs while a ref'd one keeps the loop alive (G), the
// loop ends when only unref'd ones are left (F, G, K), and a refresh keeps it unref'd (K, L).
'use strict';
const { spawn } = require('child_process');
function block(ms) { const end = performance.now() + ms; while (performance.now() < end); }

if (process.argv[2] !== 'part') {
  const parts = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M'];
  const run = () => {
    const p = parts.shift();
    if (!p) return;
    spawn(process.execPath, [__filename, 'part', p], { stdio: 'inherit' }).on('exit', run);
  };
  run();
  return;
}
const part = process.argv[3];
const log = (s) => console.log(`part${part}: ${s}`);
process.on('exit', () => log('exit'));

({
  A() { // refresh of a timeout that fired and was not cleared re-arms it
    const t = setTimeout(() => log('T (50) fired'), 50);
    setTimeout(() => { log('at 80: refresh T'); t.refresh(); }, 80);
    setTimeout(() => log('timer 110'), 110);
    setTimeout(() => log('timer 160'), 160);
  },
  B() { // refresh of a cleared timeout does nothing
    const t = setTimeout(() => log('T fired'), 50);
    clearTimeout(t);
    t.refresh();
    setTimeout(() => { log('at 30: refresh T again'); t.refresh(); }, 30);
    setTimeout(() => log('timer 100'), 100);
  },
  C() { // refresh of an interval: its next run counts from the refresh
    let n = 0;
    const iv = setInterval(() => { log(`interval 50 run ${++n}`); if (n === 3) clearInterval(iv); }, 50);
    setTimeout(() => { log('at 75: refresh the interval'); iv.refresh(); }, 75);
    setTimeout(() => log('timer 115'), 115);
    setTimeout(() => log('timer 140'), 140);
  },
  D() { // refresh inside its own callback: a timeout fires again; an interval runs on as before
    let n = 0;
    const t = setTimeout(() => { log(`T (50) run ${++n}`); if (n === 1) t.refresh(); }, 50);
    setTimeout(() => log('timer 80'), 80);
    setTimeout(() => log('timer 120'), 120);
  },
  E() { // an interval refreshed in its own callback after a block: rearmed from its callback's start
    let n = 0;
    const iv = setInterval(() => { log(`interval 50 run ${++n}`); if (n === 1) { block(30); iv.refresh(); } if (n === 2) clearInterval(iv); }, 50);
    setTimeout(() => log('timer 120'), 120);
    setTimeout(() => log('timer 140'), 140);
  },
  F() { // an unref'd interval with nothing else alive: the loop ends at once
    setInterval(() => log('interval fired'), 10).unref();
    log('main end');
  },
  G() { // an unref'd timeout fires while a ref'd timer keeps the loop alive; then the loop ends
    setTimeout(() => log('unref timeout 50'), 50).unref();
    setInterval(() => log('unref interval 30'), 30).unref();
    setTimeout(() => log('timer 100'), 100);
  },
  H() { // refresh moves a timer to the back of its list, starting afresh
    const a = setTimeout(() => log('A (100)'), 100);
    setTimeout(() => log('B (100)'), 100);
    a.refresh();
  },
  I() { // refresh after a block in main: the start is the loop time read afresh
    const a = setTimeout(() => log('A (100), refreshed after a 50 ms block'), 100);
    setTimeout(() => log('C (130)'), 130);
    block(50);
    a.refresh();
  },
  J() { // a timer refreshed by the one before it in a due list does not run in that phase
    let b;
    setTimeout(() => { log('A (100): refresh B'); b.refresh(); }, 100);
    b = setTimeout(() => log('B (100)'), 100);
    setTimeout(() => log('C (150)'), 150);
  },
  K() { // refresh keeps an unref'd timer unref'd
    const t = setTimeout(() => log('U fired'), 50);
    t.unref();
    t.refresh();
    log('main end');
  },
  L() { // an unref'd timer refreshed after it fired stays unref'd
    const t = setTimeout(() => { log('U (30) fired'); }, 30);
    t.unref();
    setTimeout(() => { log('at 60: refresh U'); t.refresh(); }, 60);
  },
  M() { // clearTimeout of a timeout that fired, or inside its own callback: refresh does nothing
    const a = setTimeout(() => log('A (10) fired'), 10);
    setTimeout(() => { clearTimeout(a); a.refresh(); log('at 30: cleared A, which fired, and refreshed it'); }, 30);
    const b = setTimeout(() => {
      log('B (50) fired, clears itself');
      clearTimeout(b);
      setTimeout(() => { b.refresh(); log('at 70: refreshed B'); }, 20);
    }, 50);
    setTimeout(() => log('timer 200'), 200);
  },
})[part]();
