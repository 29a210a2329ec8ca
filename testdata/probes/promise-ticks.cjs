// Probe: promise-ticks (SPEC §2 rules 13 and 14: microtask tick counts).
// V8 as Node 20 runs it (ECMAScript 2019+ await, builtins-promise / promise-jobs):
// `await v` is PerformPromiseThen on PromiseResolve(v): for a native promise (or a plain
// value, wrapped in a resolved one) no extra job; resolving a promise with a native promise
// or a thenable queues a NewPromiseResolveThenableJob (one tick), which calls `then` on it
// (for a native promise that queues one more reaction job); `finally` (PromisePrototypeFinally
// -> thenFinally) returns `PromiseResolve(onFinally()).then(() => value)`, a native promise,
// to its derived promise.
//
// Each case starts in its own setImmediate, after the previous case's microtasks are all
// done. A ruler — `Promise.resolve().then(t1).then(t2)...` up to t8 — is started in the
// same callback just before the case, so tK runs in microtask tick K; a case line printed
// between tK and tK+1 ran in tick K (its job was queued after tK's). The ruler stops after
// the first tK printed once the case has printed its last line. In "await native pending
// promise", p is resolved by the ruler's t2 job. "attachment order" has no ruler: it
// attaches reactions to a settled promise p and to a pending q, resolving q in between.
//
// Reading it: await of a plain value, a native promise (resolved, or pending and then
// resolved) or a rejection resumes 1 tick after the promise is settled; await of a thenable
// 2 (its then is called in tick 1). `f().then` of an async function: `return 1` tick 1,
// `return Promise.resolve(1)` tick 3, `return thenable` tick 2. A `.then` handler run in
// tick 1 returning a value: the next then in tick 2; a native promise: tick 4; a thenable:
// tick 3. `new Promise(r => r(p))`: tick 3, `Promise.resolve(p)` is p: tick 1. `finally`
// (handler tick 1) passes a value or a rejection on to a then/catch in tick 4 (a then in its
// place would be tick 2). A then skipped by a rejection (or a catch by a fulfilment) still
// costs one tick.
//
// Node v20.20.2 printed, 10 of 10 runs:
//   == await plain value
//   t1
//   await 42 resumed
//   t2
//   == await native resolved promise
//   t1
//   await Promise.resolve(1) resumed
//   t2
//   == await native pending promise resolved at t2
//   t1
//   t2
//   resolve p
//   await p resumed
//   t3
//   == await thenable
//   t1
//   thenable.then called
//   t2
//   await thenable resumed
//   t3
//   == await rejected promise in try/catch
//   t1
//   await rejection caught: e
//   t2
//   == two awaits in series
//   t1
//   after await 1
//   t2
//   after await 2
//   t3
//   == async return value
//   t1
//   f().then (return 1)
//   t2
//   == async return native promise
//   t1
//   t2
//   t3
//   f().then (return Promise.resolve(1))
//   t4
//   == async return thenable
//   t1
//   thenable.then called
//   t2
//   f().then (return thenable)
//   t3
//   == async throw
//   t1
//   f().catch (throw): e
//   t2
//   == then handler returns value
//   t1
//   handler returns 1
//   t2
//   next then (after value)
//   t3
//   == then handler returns native promise
//   t1
//   handler returns Promise.resolve(1)
//   t2
//   t3
//   t4
//   next then (after native promise)
//   t5
//   == then handler returns thenable
//   t1
//   handler returns thenable
//   t2
//   thenable.then called
//   t3
//   next then (after thenable)
//   t4
//   == new Promise(r => r(p)), p native resolved
//   t1
//   t2
//   t3
//   new Promise(r => r(p)).then
//   t4
//   == new Promise(r => r(thenable))
//   t1
//   thenable.then called
//   t2
//   new Promise(r => r(thenable)).then
//   t3
//   == Promise.resolve(p) vs new Promise(r => r(p))
//   Promise.resolve(p) === p: true
//   t1
//   Promise.resolve(p).then
//   t2
//   t3
//   new Promise(r => r(p)).then
//   t4
//   == finally passes a value on
//   t1
//   finally handler
//   t2
//   t3
//   t4
//   then after finally: 5
//   t5
//   == finally passes a rejection on
//   t1
//   finally handler
//   t2
//   t3
//   t4
//   catch after finally: e
//   t5
//   == catch after a rejection
//   t1
//   catch: e
//   t2
//   == then skipped by a rejection, later catch
//   t1
//   t2
//   catch after skipped then: e
//   t3
//   == catch skipped by a fulfilment, later then
//   t1
//   t2
//   then after skipped catch: 1
//   t3
//   == then throws, next catch
//   t1
//   then throws
//   t2
//   catch after throw: e
//   t3
//   == attachment order: settled vs pending
//   resolve q
//   p reaction 1 (p already settled)
//   q reaction 1 (attached while pending)
//   q reaction 2 (attached while pending)
//   p reaction 2 (p already settled)
//   q reaction 3 (attached after q settled)
'use strict';
const log = (s) => console.log(s);

// The ruler: `Promise.resolve().then(t1).then(t2)...` up to t8, started in the same
// callback as the case, just before it. tK is the K-th job of its chain: it runs in
// microtask tick K. A case line printed between tK and tK+1 ran in tick K (its job was
// queued after tK's). hooks[K] runs right after tK is printed (to settle a pending
// promise "later"). To keep the output short the ruler stops after the first tK printed
// once the case has printed its last line (done()).
let finished = false;
const done = () => { finished = true; };
function ruler(hooks = {}) {
  finished = false;
  let stopped = false;
  let p = Promise.resolve();
  for (let k = 1; k <= 8; k++) {
    p = p.then(() => {
      if (stopped) return;
      stopped = finished;
      log(`t${k}`);
      if (hooks[k]) hooks[k]();
    });
  }
}

const thenable = (v, name) => ({ then(res) { log(`${name}.then called`); res(v); } });

const cases = [
  ['await plain value', () => {
    ruler();
    (async () => { await 42; log('await 42 resumed'); done(); })();
  }],
  ['await native resolved promise', () => {
    ruler();
    (async () => { await Promise.resolve(1); log('await Promise.resolve(1) resumed'); done(); })();
  }],
  ['await native pending promise resolved at t2', () => {
    let resolveP;
    const p = new Promise((r) => { resolveP = r; });
    ruler({ 2: () => { log('resolve p'); resolveP(1); } });
    (async () => { await p; log('await p resumed'); done(); })();
  }],
  ['await thenable', () => {
    ruler();
    (async () => { await thenable(1, 'thenable'); log('await thenable resumed'); done(); })();
  }],
  ['await rejected promise in try/catch', () => {
    ruler();
    (async () => {
      try { await Promise.reject(new Error('e')); } catch (e) { log(`await rejection caught: ${e.message}`); done(); }
    })();
  }],
  ['two awaits in series', () => {
    ruler();
    (async () => { await 1; log('after await 1'); await 2; log('after await 2'); done(); })();
  }],
  ['async return value', () => {
    ruler();
    (async () => 1)().then(() => { log('f().then (return 1)'); done(); });
  }],
  ['async return native promise', () => {
    ruler();
    (async () => Promise.resolve(1))().then(() => { log('f().then (return Promise.resolve(1))'); done(); });
  }],
  ['async return thenable', () => {
    ruler();
    (async () => thenable(1, 'thenable'))().then(() => { log('f().then (return thenable)'); done(); });
  }],
  ['async throw', () => {
    ruler();
    (async () => { throw new Error('e'); })().catch((e) => { log(`f().catch (throw): ${e.message}`); done(); });
  }],
  ['then handler returns value', () => {
    ruler();
    Promise.resolve().then(() => { log('handler returns 1'); return 1; })
      .then(() => { log('next then (after value)'); done(); });
  }],
  ['then handler returns native promise', () => {
    ruler();
    Promise.resolve().then(() => { log('handler returns Promise.resolve(1)'); return Promise.resolve(1); })
      .then(() => { log('next then (after native promise)'); done(); });
  }],
  ['then handler returns thenable', () => {
    ruler();
    Promise.resolve().then(() => { log('handler returns thenable'); return thenable(1, 'thenable'); })
      .then(() => { log('next then (after thenable)'); done(); });
  }],
  ['new Promise(r => r(p)), p native resolved', () => {
    const p = Promise.resolve(1);
    ruler();
    new Promise((r) => r(p)).then(() => { log('new Promise(r => r(p)).then'); done(); });
  }],
  ['new Promise(r => r(thenable))', () => {
    ruler();
    new Promise((r) => r(thenable(1, 'thenable'))).then(() => { log('new Promise(r => r(thenable)).then'); done(); });
  }],
  ['Promise.resolve(p) vs new Promise(r => r(p))', () => {
    const p = Promise.resolve(1);
    log(`Promise.resolve(p) === p: ${Promise.resolve(p) === p}`);
    ruler();
    new Promise((r) => r(p)).then(() => { log('new Promise(r => r(p)).then'); done(); });
    Promise.resolve(p).then(() => log('Promise.resolve(p).then'));
  }],
  ['finally passes a value on', () => {
    ruler();
    Promise.resolve(5).finally(() => log('finally handler'))
      .then((v) => { log(`then after finally: ${v}`); done(); });
  }],
  ['finally passes a rejection on', () => {
    ruler();
    Promise.reject(new Error('e')).finally(() => log('finally handler'))
      .catch((e) => { log(`catch after finally: ${e.message}`); done(); });
  }],
  ['catch after a rejection', () => {
    ruler();
    Promise.reject(new Error('e')).catch((e) => { log(`catch: ${e.message}`); done(); });
  }],
  ['then skipped by a rejection, later catch', () => {
    ruler();
    Promise.reject(new Error('e')).then(() => log('then (never)'))
      .catch((e) => { log(`catch after skipped then: ${e.message}`); done(); });
  }],
  ['catch skipped by a fulfilment, later then', () => {
    ruler();
    Promise.resolve(1).catch(() => log('catch (never)'))
      .then((v) => { log(`then after skipped catch: ${v}`); done(); });
  }],
  ['then throws, next catch', () => {
    ruler();
    Promise.resolve(1).then(() => { log('then throws'); throw new Error('e'); })
      .catch((e) => { log(`catch after throw: ${e.message}`); done(); });
  }],
  ['attachment order: settled vs pending', () => {
    let resolveQ;
    const p = Promise.resolve('p');
    const q = new Promise((r) => { resolveQ = r; });
    q.then(() => log('q reaction 1 (attached while pending)'));
    p.then(() => log('p reaction 1 (p already settled)'));
    q.then(() => log('q reaction 2 (attached while pending)'));
    log('resolve q');
    resolveQ('q');
    p.then(() => log('p reaction 2 (p already settled)'));
    q.then(() => log('q reaction 3 (attached after q settled)'));
  }],
];

// Each case starts in its own immediate, after the previous case's microtasks are done.
function run(i) {
  if (i >= cases.length) return;
  log(`== ${cases[i][0]}`);
  cases[i][1]();
  setImmediate(() => run(i + 1));
}
run(0);
