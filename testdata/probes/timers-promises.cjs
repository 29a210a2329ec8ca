// Probe: timers-promises (SPEC §2 rule 16, second sentence).
// lib/timers/promises.js setTimeout(d, v) / setImmediate(v): `new Promise(resolve => { new
// Timeout(resolve, d, [v], ...) / new Immediate(resolve, [v]) ... })`: the timer's own
// callback is the promise's resolve, and Node drains the nextTick and microtask queues
// between two timers of a timers phase (listOnTimeout runNextTicks) and between two
// immediates (processImmediate runNextTicks). So the promise's reactions (and what they
// queue) run before the next timer or immediate of the same phase.
//
// A: tp.setTimeout(10, 'P1').then(log, queue a nextTick).then(log); a plain setTimeout(10)
//   "plain timeout T"; tp.setTimeout(10, 'P2').then(log); then a 20 ms block so all three
//   (one 10 ms list, in creation order) are due in one timers phase.
// B: the same with `await tp.setTimeout(10)` in async functions (P1's awaits once more).
// C: plain T1, promise timer P, plain T2.
// D, E: as A and B with tp.setImmediate() and a plain setImmediate between them.
// F: an async function awaits tp.setImmediate() twice; a plain setImmediate armed after it
//   queues another plain setImmediate. The second promise immediate is created in the
//   check phase (in the first's reaction), so it runs in the next check, before the
//   immediate the plain one queued after it.
// Parts start 40 ms (timers) or 20 ms (immediates) apart.
//
// Node v20.20.2 printed, 10 of 10 runs:
//   == A
//   P1 then
//   P1 second then
//   P1 then: tick
//   plain timeout T
//   P2 then
//   == B
//   await P1 resumed
//   P1 after a second await
//   plain timeout T
//   await P2 resumed (v2)
//   == C
//   plain timeout T1
//   P then
//   plain timeout T2
//   == D
//   I1 then
//   I1 second then
//   I1 then: tick
//   plain immediate I
//   I2 then
//   == E
//   await I1 resumed
//   I1 after a second await
//   plain immediate I
//   await I2 resumed (v2)
//   == F
//   first promise immediate resumed
//   plain immediate
//   second promise immediate resumed
//   plain immediate queued in check
'use strict';
const tp = require('timers/promises');
const log = (s) => console.log(s);
function block(ms) { const end = performance.now() + ms; while (performance.now() < end); }

const parts = [
  (next) => {
    // A: two timers/promises setTimeout(10) and, armed between them, a plain setTimeout(10):
    // one 10 ms list, all three due in one timers phase.
    tp.setTimeout(10, 'P1').then((v) => {
      log(`${v} then`);
      process.nextTick(() => log(`${v} then: tick`));
      return null;
    }).then(() => log('P1 second then'));
    setTimeout(() => log('plain timeout T'), 10);
    tp.setTimeout(10, 'P2').then((v) => log(`${v} then`));
    block(20); // all due in one timers phase
    setTimeout(next, 40);
  },
  (next) => {
    // B: the same with await: each async function awaits its timer, then awaits once more.
    (async () => { await tp.setTimeout(10); log('await P1 resumed'); await null; log('P1 after a second await'); })();
    setTimeout(() => log('plain timeout T'), 10);
    (async () => { const v = await tp.setTimeout(10, 'v2'); log(`await P2 resumed (${v})`); })();
    block(20); // all due in one timers phase
    setTimeout(next, 40);
  },
  (next) => {
    // C: a plain setTimeout(10) armed first, then the promise timer, then a plain one.
    setTimeout(() => log('plain timeout T1'), 10);
    tp.setTimeout(10).then(() => log('P then'));
    setTimeout(() => log('plain timeout T2'), 10);
    block(20); // all due in one timers phase
    setTimeout(next, 40);
  },
  (next) => {
    // D: setImmediate: two timers/promises setImmediate() with a plain one between them.
    tp.setImmediate('I1').then((v) => {
      log(`${v} then`);
      process.nextTick(() => log(`${v} then: tick`));
      return null;
    }).then(() => log('I1 second then'));
    setImmediate(() => log('plain immediate I'));
    tp.setImmediate('I2').then((v) => log(`${v} then`));
    setTimeout(next, 20);
  },
  (next) => {
    // E: the same with await.
    (async () => { await tp.setImmediate(); log('await I1 resumed'); await null; log('I1 after a second await'); })();
    setImmediate(() => log('plain immediate I'));
    (async () => { const v = await tp.setImmediate('v2'); log(`await I2 resumed (${v})`); })();
    setTimeout(next, 20);
  },
  (next) => {
    // F: a promise immediate awaited, then a second one: the second is queued in the check
    // phase (from the first's reaction), so it runs in the next iteration's check, after
    // the plain immediate armed at the start and before the immediate that one queues.
    (async () => {
      await tp.setImmediate(); log('first promise immediate resumed');
      await tp.setImmediate(); log('second promise immediate resumed');
    })();
    setImmediate(() => { log('plain immediate'); setImmediate(() => log('plain immediate queued in check')); });
    setTimeout(next, 30);
  },
];

function run(i) { if (i < parts.length) { log(`== ${'ABCDEF'[i]}`); parts[i](() => run(i + 1)); } }
run(0);
