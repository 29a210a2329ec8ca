// Probe: throw (SPEC §1 uncaughtException; §2 rule 15, last sentence).
// A throw out of a timer or immediate callback leaves processTimers / processImmediate;
// the C++ side (src/env.cc RunTimers: `do { ret = cb->Call(...) } while (ret.IsEmpty() &&
// can_call_into_js())`; CheckImmediate likewise while has_outstanding) reports it to
// process._fatalException ('uncaughtException' listener; it then does setImmediate(noop))
// and calls the JS side again, which goes on with the next due timer of the same list /
// the next outstanding immediate WITHOUT draining first (ranAtLeastOneTimer /
// ranAtLeastOneImmediate start over false). The failed callback's queues are drained only
// after that next callback. A timer of the next list runs after a drain (processTimers'
// runNextTicks between lists: the re-called processTimers first meets the thrower's
// emptied list). When the throwing callback was the phase's last, its queues are drained
// at the end of the phase, before anything of a later phase (observed; RunTimers runs in an
// InternalCallbackScope); likewise after a poll callback (fs.readFile), before the check
// phase, and after a throw in main, before the first timer. A throw in a
// then handler, an async body or a Promise executor rejects that promise instead. With only
// an 'uncaughtException' listener, an unhandled rejection goes to it, origin
// 'unhandledRejection'. Without a listener: exit status 1; only the 'exit' event runs.
//
// Each case is the main program of its own child process (`node throw.cjs CASE`); the
// parent prints `== CASE`, the child's stdout, its exit code and its stderr's first line
// naming an error (`NAME: message`, NAME ending in Error or Rejection; else its first line).
// The listener logs `uncaughtException MESSAGE (origin ORIGIN)`. queueStuff(ctx) queues a
// nextTick, a promise reaction and a queueMicrotask, just before the throw. Timers that must
// share a timers phase are armed with a 5 ms (or 5 and 6 ms) delay, followed by a 20 ms block.
//
// Node v20.20.2 printed, 10 of 10 runs:
//   == throw in a timer, a second timer in the same phase, an immediate
//   timer A
//   uncaughtException boom A (origin uncaughtException)
//   timer B
//   timer A: nextTick
//   timer B: nextTick
//   timer A: then
//   timer A: microtask
//   timer B: then
//   timer B: microtask
//   timer C
//   immediate
//   exit code 0
//   stderr: (empty)
//   == throw in the last timer of the phase, then an immediate
//   timer A
//   uncaughtException boom A (origin uncaughtException)
//   timer A: nextTick
//   timer A: then
//   timer A: microtask
//   immediate 1
//   immediate 1: nextTick
//   immediate 1: then
//   immediate 1: microtask
//   immediate 2
//   exit code 0
//   stderr: (empty)
//   == throw in the last timer, nothing else queued
//   timer A
//   uncaughtException boom A (origin uncaughtException)
//   timer A: nextTick
//   timer A: then
//   timer A: microtask
//   timer 50
//   exit code 0
//   stderr: (empty)
//   == throw in a timer of one list, next list in the same phase
//   timer 5
//   uncaughtException boom 5 (origin uncaughtException)
//   timer 5: nextTick
//   timer 5: then
//   timer 5: microtask
//   timer 6
//   exit code 0
//   stderr: (empty)
//   == throw in an immediate, a second immediate
//   immediate A
//   uncaughtException boom A (origin uncaughtException)
//   immediate B
//   immediate A: nextTick
//   immediate B: nextTick
//   immediate A: then
//   immediate A: microtask
//   immediate B: then
//   immediate B: microtask
//   immediate C
//   exit code 0
//   stderr: (empty)
//   == throw in the last immediate, then a timer
//   immediate A
//   uncaughtException boom A (origin uncaughtException)
//   immediate A: nextTick
//   immediate A: then
//   immediate A: microtask
//   timer 0 armed in immediate A
//   exit code 0
//   stderr: (empty)
//   == throw in an fs.readFile callback
//   readFile callback
//   uncaughtException boom read (origin uncaughtException)
//   readFile: nextTick
//   readFile: then
//   readFile: microtask
//   immediate armed in readFile callback
//   exit code 0
//   stderr: (empty)
//   == throw in main
//   main throws
//   uncaughtException boom main (origin uncaughtException)
//   main: nextTick
//   main: then
//   main: microtask
//   timer 0
//   immediate
//   exit code 0
//   stderr: (empty)
//   == throw in a then handler, async body, executor (rejections)
//   main end
//   catch: async body
//   catch: executor
//   then: ok (throw after resolve ignored)
//   catch: then
//   exit code 0
//   stderr: (empty)
//   == only an uncaughtException listener, an unhandled rejection
//   main end
//   nextTick
//   microtask
//   uncaughtException rejected (origin unhandledRejection)
//   timer 0
//   exit code 0
//   stderr: (empty)
//   == no listener: throw in a timer
//   timer A
//   exit event 1
//   exit code 1
//   stderr: Error: boom A
//   == no listener: throw in a then handler
//   then throws
//   exit event 1
//   exit code 1
//   stderr: Error: boom then
'use strict';
const fs = require('fs');
const log = (s) => console.log(s);
function block(ms) { const end = performance.now() + ms; while (performance.now() < end); }
const onUncaught = () => process.on('uncaughtException', (e, origin) => log(`uncaughtException ${e.message} (origin ${origin})`));
// What a throwing callback queues just before it throws.
const queueStuff = (ctx) => {
  process.nextTick(() => log(`${ctx}: nextTick`));
  Promise.resolve().then(() => log(`${ctx}: then`));
  queueMicrotask(() => log(`${ctx}: microtask`));
};

const cases = {
  'throw in a timer, a second timer in the same phase, an immediate': () => {
    onUncaught();
    setTimeout(() => { log('timer A'); queueStuff('timer A'); throw new Error('boom A'); }, 5);
    setTimeout(() => { log('timer B'); queueStuff('timer B'); }, 5);
    setTimeout(() => log('timer C'), 5);
    setImmediate(() => log('immediate'));
    block(20); // all three timers due in the first timers phase
  },
  'throw in the last timer of the phase, then an immediate': () => {
    onUncaught();
    setTimeout(() => { log('timer A'); queueStuff('timer A'); throw new Error('boom A'); }, 5);
    setImmediate(() => { log('immediate 1'); queueStuff('immediate 1'); });
    setImmediate(() => log('immediate 2'));
    block(20);
  },
  'throw in the last timer, nothing else queued': () => {
    onUncaught();
    setTimeout(() => { log('timer A'); queueStuff('timer A'); throw new Error('boom A'); }, 5);
    setTimeout(() => log('timer 50'), 50);
    block(20);
  },
  'throw in a timer of one list, next list in the same phase': () => {
    onUncaught();
    setTimeout(() => { log('timer 5'); queueStuff('timer 5'); throw new Error('boom 5'); }, 5);
    setTimeout(() => log('timer 6'), 6);
    block(20);
  },
  'throw in an immediate, a second immediate': () => {
    onUncaught();
    setImmediate(() => { log('immediate A'); queueStuff('immediate A'); throw new Error('boom A'); });
    setImmediate(() => { log('immediate B'); queueStuff('immediate B'); });
    setImmediate(() => log('immediate C'));
  },
  'throw in the last immediate, then a timer': () => {
    onUncaught();
    setImmediate(() => {
      log('immediate A');
      setTimeout(() => log('timer 0 armed in immediate A'), 0);
      queueStuff('immediate A');
      throw new Error('boom A');
    });
  },
  'throw in an fs.readFile callback': () => {
    onUncaught();
    fs.readFile(__filename, () => {
      log('readFile callback');
      setImmediate(() => log('immediate armed in readFile callback'));
      queueStuff('readFile');
      throw new Error('boom read');
    });
  },
  'throw in main': () => {
    onUncaught();
    setTimeout(() => log('timer 0'), 0);
    setImmediate(() => log('immediate'));
    queueStuff('main');
    log('main throws');
    throw new Error('boom main');
  },
  'throw in a then handler, async body, executor (rejections)': () => {
    onUncaught();
    process.on('unhandledRejection', (r) => log(`unhandledRejection ${r.message}`));
    Promise.resolve().then(() => { throw new Error('then'); }).catch((e) => log(`catch: ${e.message}`));
    (async () => { throw new Error('async body'); })().catch((e) => log(`catch: ${e.message}`));
    new Promise(() => { throw new Error('executor'); }).catch((e) => log(`catch: ${e.message}`));
    new Promise((res) => { res('ok'); throw new Error('executor after resolve'); })
      .then((v) => log(`then: ${v} (throw after resolve ignored)`));
    log('main end');
  },
  'only an uncaughtException listener, an unhandled rejection': () => {
    onUncaught();
    Promise.reject(new Error('rejected'));
    process.nextTick(() => log('nextTick'));
    queueMicrotask(() => log('microtask'));
    setTimeout(() => log('timer 0'), 0);
    log('main end');
  },
  'no listener: throw in a timer': () => {
    process.on('exit', (c) => log(`exit event ${c}`));
    setTimeout(() => { log('timer A'); queueStuff('timer A'); throw new Error('boom A'); }, 5);
    setTimeout(() => log('timer B'), 5);
    setImmediate(() => log('immediate'));
    block(20);
  },
  'no listener: throw in a then handler': () => {
    process.on('exit', (c) => log(`exit event ${c}`));
    Promise.resolve().then(() => { log('then throws'); throw new Error('boom then'); });
    setTimeout(() => log('timer 0'), 0);
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
    // Rejection), else its first line.
    const lines = r.stderr.split('\n');
    const errLine = lines.find((l) => /^[A-Za-z]*(Error|Rejection)\b/.test(l)) ?? lines[0];
    console.log(`exit code ${r.status}`);
    console.log(`stderr: ${r.stderr === '' ? '(empty)' : errLine}`);
  }
}
