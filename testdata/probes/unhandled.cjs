// Probe: unhandled (SPEC §1 unhandledRejection; §2 rule 15).
// lib/internal/process/promises.js: V8's PromiseRejectCallback records each rejection
// without a handler (unhandledRejection -> maybeUnhandledPromises, pendingUnhandledRejections
// in rejection order) and deletes it when a handler is attached (handledRejection).
// processTicksAndRejections (task_queues.js) calls processPromiseRejections() once the
// nextTick and microtask queues are empty, after every callback and between two timers or
// immediates of one phase: each still-unhandled one is emitted as 'unhandledRejection'.
// A handler attached later emits 'rejectionHandled' at the next report (or, without a
// listener, a PromiseRejectionHandledWarning). Default mode (throw): without a listener the
// rejection is thrown as an uncaught exception: exit status 1, nothing else runs except
// the 'exit' event.
//
// Each case is the main program of its own child process (`node unhandled.cjs CASE`); the
// parent prints `== CASE`, the child's stdout, its exit code, and its stderr's first line
// naming an error (`NAME: message` with NAME ending in Error or Rejection; else its first
// line, the pid replaced by PID; and the error's `code:` property line when there is one).
// Listeners log `unhandledRejection MESSAGE` and `rejectionHandled event (MESSAGE)`.
// markers(ctx) queues a nextTick, a queueMicrotask, a setTimeout 0 and a setImmediate that
// log `CTXnextTick` etc. Timers that must share a timers phase are armed with a 5 ms delay,
// followed by a 20 ms block.
//
// Node v20.20.2 printed, 10 of 10 runs:
//   == no handler
//   main end
//   nextTick
//   microtask
//   unhandledRejection x
//   timeout 0
//   immediate
//   exit code 0
//   stderr: (empty)
//   == catch in a later microtask (3 ticks later)
//   nextTick
//   microtask
//   attach catch at tick 3
//   caught x
//   timeout 0
//   immediate
//   exit code 0
//   stderr: (empty)
//   == catch in a nextTick
//   attach catch in nextTick
//   nextTick
//   microtask
//   caught x
//   timeout 0
//   immediate
//   exit code 0
//   stderr: (empty)
//   == catch in a microtask queued by a nextTick queued by a microtask
//   nextTick
//   microtask
//   attach catch
//   caught x
//   timeout 0
//   immediate
//   exit code 0
//   stderr: (empty)
//   == catch in setTimeout 0 (too late)
//   unhandledRejection x
//   timeout: attach catch
//   timeout: nextTick
//   caught x
//   timeout: microtask
//   rejectionHandled event (x)
//   second timeout 0
//   immediate
//   exit code 0
//   stderr: (empty)
//   == catch in setTimeout 0, no rejectionHandled listener
//   unhandledRejection x
//   timeout: attach catch
//   caught x
//   warning PromiseRejectionHandledWarning: Promise rejection was handled asynchronously (rejection id: 1)
//   second timeout 0
//   exit code 0
//   stderr: (node:PID) PromiseRejectionHandledWarning: Promise rejection was handled asynchronously (rejection id: 1)
//   == rejection inside a timer, vs the next timer of the phase
//   timer A: reject
//   timer A: nextTick
//   timer A: microtask
//   unhandledRejection from A
//   timer B
//   timer A: immediate
//   timer A: timeout 0
//   exit code 0
//   stderr: (empty)
//   == rejection inside an immediate, vs the next immediate
//   immediate A: reject
//   immediate A: nextTick
//   immediate A: microtask
//   unhandledRejection from A
//   immediate B
//   exit code 0
//   stderr: (empty)
//   == rejection in a then handler and an async body
//   nextTick
//   microtask
//   unhandledRejection thrown in async sync part
//   unhandledRejection thrown in then
//   unhandledRejection thrown in async after await
//   timeout 0
//   immediate
//   exit code 0
//   stderr: (empty)
//   == multiple rejections, in rejection order
//   unhandledRejection c (created third, rejected first)
//   unhandledRejection d (Promise.reject)
//   unhandledRejection a (created first, rejected third)
//   unhandledRejection e (rejected in a nextTick)
//   unhandledRejection b (rejected in a microtask)
//   exit code 0
//   stderr: (empty)
//   == no listener: Error
//   main
//   main end
//   nextTick
//   microtask
//   exit event 1
//   exit code 1
//   stderr: Error: boom
//   == no listener: a string reason
//   nextTick
//   microtask
//   exit event 1
//   exit code 1
//   stderr: UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "just a string". /code: 'ERR_UNHANDLED_REJECTION'/
//   == no listener: rejection in a timer
//   timer A: reject
//   timer A: nextTick
//   exit event 1
//   exit code 1
//   stderr: Error: boom in timer
'use strict';
const log = (s) => console.log(s);
const onUnhandled = () => process.on('unhandledRejection', (r) => log(`unhandledRejection ${r instanceof Error ? r.message : r}`));
const onHandled = () => process.on('rejectionHandled', (p) => p.catch((e) => log(`rejectionHandled event (${e.message})`)));
function block(ms) { const end = performance.now() + ms; while (performance.now() < end); }
const markers = (ctx) => {
  process.nextTick(() => log(`${ctx}nextTick`));
  queueMicrotask(() => log(`${ctx}microtask`));
  setTimeout(() => log(`${ctx}timeout 0`), 0);
  setImmediate(() => log(`${ctx}immediate`));
};

const cases = {
  'no handler': () => {
    onUnhandled();
    Promise.reject(new Error('x'));
    markers('');
    log('main end');
  },
  'catch in a later microtask (3 ticks later)': () => {
    onUnhandled();
    const p = Promise.reject(new Error('x'));
    Promise.resolve().then(() => {}).then(() => {}).then(() => {
      log('attach catch at tick 3');
      p.catch((e) => log(`caught ${e.message}`));
    });
    markers('');
  },
  'catch in a nextTick': () => {
    onUnhandled();
    const p = Promise.reject(new Error('x'));
    process.nextTick(() => { log('attach catch in nextTick'); p.catch((e) => log(`caught ${e.message}`)); });
    markers('');
  },
  'catch in a microtask queued by a nextTick queued by a microtask': () => {
    onUnhandled();
    const p = Promise.reject(new Error('x'));
    queueMicrotask(() => process.nextTick(() => queueMicrotask(() => {
      log('attach catch'); p.catch((e) => log(`caught ${e.message}`));
    })));
    markers('');
  },
  'catch in setTimeout 0 (too late)': () => {
    onUnhandled(); onHandled();
    const p = Promise.reject(new Error('x'));
    setTimeout(() => {
      log('timeout: attach catch');
      p.catch((e) => log(`caught ${e.message}`));
      process.nextTick(() => log('timeout: nextTick'));
      queueMicrotask(() => log('timeout: microtask'));
    }, 0);
    setTimeout(() => log('second timeout 0'), 0);
    setImmediate(() => log('immediate'));
  },
  'catch in setTimeout 0, no rejectionHandled listener': () => {
    onUnhandled();
    process.on('warning', (w) => log(`warning ${w.name}: ${w.message}`));
    const p = Promise.reject(new Error('x'));
    setTimeout(() => { log('timeout: attach catch'); p.catch((e) => log(`caught ${e.message}`)); }, 0);
    setTimeout(() => log('second timeout 0'), 0);
  },
  'rejection inside a timer, vs the next timer of the phase': () => {
    onUnhandled();
    setTimeout(() => {
      log('timer A: reject');
      Promise.reject(new Error('from A'));
      markers('timer A: ');
    }, 5);
    setTimeout(() => log('timer B'), 5);
    block(20); // both due in the first timers phase even if their starts differ by 1 ms
  },
  'rejection inside an immediate, vs the next immediate': () => {
    onUnhandled();
    setImmediate(() => {
      log('immediate A: reject');
      Promise.reject(new Error('from A'));
      process.nextTick(() => log('immediate A: nextTick'));
      queueMicrotask(() => log('immediate A: microtask'));
    });
    setImmediate(() => log('immediate B'));
  },
  'rejection in a then handler and an async body': () => {
    onUnhandled();
    Promise.resolve().then(() => { throw new Error('thrown in then'); });
    (async () => { await null; throw new Error('thrown in async after await'); })();
    (async () => { throw new Error('thrown in async sync part'); })();
    markers('');
  },
  'multiple rejections, in rejection order': () => {
    onUnhandled();
    let ra, rb, rc;
    const a = new Promise((_, r) => { ra = r; });
    const b = new Promise((_, r) => { rb = r; });
    const c = new Promise((_, r) => { rc = r; });
    rc(new Error('c (created third, rejected first)'));
    Promise.reject(new Error('d (Promise.reject)'));
    ra(new Error('a (created first, rejected third)'));
    queueMicrotask(() => rb(new Error('b (rejected in a microtask)')));
    process.nextTick(() => Promise.reject(new Error('e (rejected in a nextTick)')));
    void a; void b; void c;
  },
  'no listener: Error': () => {
    process.on('exit', (c) => log(`exit event ${c}`));
    log('main');
    Promise.reject(new Error('boom'));
    markers('');
    log('main end');
  },
  'no listener: a string reason': () => {
    process.on('exit', (c) => log(`exit event ${c}`));
    Promise.reject('just a string');
    markers('');
  },
  'no listener: rejection in a timer': () => {
    process.on('exit', (c) => log(`exit event ${c}`));
    setTimeout(() => {
      log('timer A: reject');
      Promise.reject(new Error('boom in timer'));
      process.nextTick(() => log('timer A: nextTick'));
    }, 5);
    setTimeout(() => log('timer B'), 5);
    block(20);
  },
};

if (process.argv[2]) {
  cases[process.argv[2]]();
} else {
  const { spawnSync } = require('child_process');
  for (const name of Object.keys(cases)) {
    const r = spawnSync(process.execPath, [__filename, name], { encoding: 'utf8' });
    console.log(`== ${name}`);
    for (const line of r.stdout.split('\n').filter(Boolean)) console.log(line);
    // stderr: its first line naming an error (`NAME: message`, NAME ending in Error or
    // Rejection), else its first line (the process id replaced by PID); and the `code:` line of the error's properties, if any.
    const lines = r.stderr.split('\n');
    const errLine = (lines.find((l) => /^[A-Za-z]*(Error|Rejection)\b/.test(l)) ?? lines[0]).replace(/^\(node:\d+\)/, '(node:PID)');
    const codeLine = lines.find((l) => /^  code: /.test(l));
    console.log(`exit code ${r.status}`);
    console.log(`stderr: ${r.stderr === '' ? '(empty)' : errLine}${codeLine ? ` /${codeLine.trim()}/` : ''}`);
  }
}
