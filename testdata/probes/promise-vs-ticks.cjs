// Probe: promise-vs-ticks (SPEC §2 rules 2 and 13).
// lib/internal/process/task_queues.js processTicksAndRejections: `do { while (tock =
// queue.shift()) { ...run tock... } runMicrotasks(); } while (!queue.isEmpty() || ...)`;
// promise reactions and queueMicrotask share V8's one microtask queue (FIFO). It runs after
// every callback: main (CommonJS), a timer, an immediate, a pool completion (fs.readFile's
// callback), a socket read (net 'data', http 'response'); and between two timers of one
// timers phase (listOnTimeout's runNextTicks) and two immediates of one check phase
// (processImmediate's runNextTicks).
//
// queueAll(ctx) queues, in this order: a promise reaction `then 1` (which itself queues a
// nextTick and a queueMicrotask), a nextTick `tick 1` (which itself queues a promise
// reaction), a queueMicrotask `microtask 1`, a nextTick `tick 2`, a promise reaction
// `then 2`. It is called in main, then (each step started 10 ms after the previous one
// ended) in a setTimeout 0 callback, a setImmediate callback, an fs.readFile callback, a
// net socket 'data' callback and an http.get 'response' callback (servers in this process on
// 127.0.0.1, port 0). Then two setTimeout(1) created together (then a 5 ms block, so both
// are due in one timers phase), and two setImmediate, each queuing a nextTick and reactions.
//
// Reading it: all nextTicks queued by the callback first, then the microtask queue in FIFO
// order (including reactions queued by those nextTicks, appended at the end); a nextTick
// queued in a microtask runs only once the microtask queue is empty. The same in every
// context, and the queues are drained between two timers or two immediates of one phase.
//
// Node v20.20.2 printed, 10 of 10 runs:
//   main
//   main: tick 1
//   main: tick 2
//   main: then 1
//   main: microtask 1
//   main: then 2
//   main: then queued in tick 1
//   main: microtask queued in then 1
//   main: tick queued in then 1
//   setTimeout callback
//   timeout: tick 1
//   timeout: tick 2
//   timeout: then 1
//   timeout: microtask 1
//   timeout: then 2
//   timeout: then queued in tick 1
//   timeout: microtask queued in then 1
//   timeout: tick queued in then 1
//   setImmediate callback
//   immediate: tick 1
//   immediate: tick 2
//   immediate: then 1
//   immediate: microtask 1
//   immediate: then 2
//   immediate: then queued in tick 1
//   immediate: microtask queued in then 1
//   immediate: tick queued in then 1
//   fs.readFile callback
//   readFile: tick 1
//   readFile: tick 2
//   readFile: then 1
//   readFile: microtask 1
//   readFile: then 2
//   readFile: then queued in tick 1
//   readFile: microtask queued in then 1
//   readFile: tick queued in then 1
//   net data callback
//   net data: tick 1
//   net data: tick 2
//   net data: then 1
//   net data: microtask 1
//   net data: then 2
//   net data: then queued in tick 1
//   net data: microtask queued in then 1
//   net data: tick queued in then 1
//   http response callback
//   http response: tick 1
//   http response: tick 2
//   http response: then 1
//   http response: microtask 1
//   http response: then 2
//   http response: then queued in tick 1
//   http response: microtask queued in then 1
//   http response: tick queued in then 1
//   timer A
//   timer A: tick
//   timer A: then
//   timer A: microtask
//   timer B
//   timer B: tick
//   timer B: then
//   immediate A
//   immediate A: tick
//   immediate A: then
//   immediate A: microtask
//   immediate B
//   immediate B: tick
//   immediate B: then
'use strict';
const fs = require('fs');
const net = require('net');
const http = require('http');
const log = (s) => console.log(s);
function block(ms) { const end = performance.now() + ms; while (performance.now() < end); }

// Queues, in this order: a promise reaction (then 1, which itself queues a nextTick and a
// microtask), a nextTick (tick 1, which itself queues a promise reaction), a queueMicrotask
// (microtask 1), a second nextTick (tick 2), a second promise reaction (then 2).
function queueAll(ctx) {
  Promise.resolve().then(() => {
    log(`${ctx}: then 1`);
    process.nextTick(() => log(`${ctx}: tick queued in then 1`));
    queueMicrotask(() => log(`${ctx}: microtask queued in then 1`));
  });
  process.nextTick(() => {
    log(`${ctx}: tick 1`);
    Promise.resolve().then(() => log(`${ctx}: then queued in tick 1`));
  });
  queueMicrotask(() => log(`${ctx}: microtask 1`));
  process.nextTick(() => log(`${ctx}: tick 2`));
  Promise.resolve().then(() => log(`${ctx}: then 2`));
}

const steps = [
  (next) => { setTimeout(() => { log('setTimeout callback'); queueAll('timeout'); setTimeout(next, 10); }, 0); },
  (next) => { setImmediate(() => { log('setImmediate callback'); queueAll('immediate'); setTimeout(next, 10); }); },
  (next) => {
    fs.readFile(__filename, () => { log('fs.readFile callback'); queueAll('readFile'); setTimeout(next, 10); });
  },
  (next) => {
    const server = net.createServer((s) => s.end('hi')).listen(0, '127.0.0.1', () => {
      const c = net.connect(server.address().port, '127.0.0.1');
      c.once('data', () => {
        log('net data callback');
        queueAll('net data');
        c.destroy(); server.close();
        setTimeout(next, 10);
      });
    });
  },
  (next) => {
    const server = http.createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1', () => {
      http.get({ host: '127.0.0.1', port: server.address().port, agent: false }, (res) => {
        log('http response callback');
        queueAll('http response');
        res.resume();
        res.on('end', () => { server.close(); setTimeout(next, 10); });
      });
    });
  },
  (next) => {
    // Two timers of one timers phase (same delay, created in the same callback).
    setTimeout(() => {
      log('timer A');
      process.nextTick(() => log('timer A: tick'));
      Promise.resolve().then(() => log('timer A: then'));
      queueMicrotask(() => log('timer A: microtask'));
    }, 1);
    setTimeout(() => {
      log('timer B');
      process.nextTick(() => log('timer B: tick'));
      Promise.resolve().then(() => log('timer B: then'));
      setTimeout(next, 10);
    }, 1);
    block(5); // both due in one timers phase even if their starts differ by 1 ms
  },
  (next) => {
    // Two immediates of one check phase.
    setImmediate(() => {
      log('immediate A');
      process.nextTick(() => log('immediate A: tick'));
      Promise.resolve().then(() => log('immediate A: then'));
      queueMicrotask(() => log('immediate A: microtask'));
    });
    setImmediate(() => {
      log('immediate B');
      process.nextTick(() => log('immediate B: tick'));
      Promise.resolve().then(() => log('immediate B: then'));
      setTimeout(next, 10);
    });
  },
];

function run(i) { if (i < steps.length) steps[i](() => run(i + 1)); }
log('main');
queueAll('main');
run(0);
