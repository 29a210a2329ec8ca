// Probe: fs-promises (SPEC §2 rule 16, first sentence; compare rule 10).
// lib/internal/fs/promises.js (Node 20) readFile(path) = `fd = await open(...)`, then
// handleFdClose(readFileHandle(fd), fd.close): readFileHandle `await`s binding.fstat, then
// `await`s binding.read in a loop until bytesRead is 0 or totalRead === size (a small
// file: one read; an empty file: size 0, one read of kReadFileUnknownBufferLength that
// returns 0), then the FileHandle's close (a FileHandleCloseReq). Each is one threadpool
// request (FSReqPromise), issued in the microtask where the await on the previous one
// resumes, i.e. in the drain after that request's completion callback in poll.
//
// The probe re-runs itself with UV_THREADPOOL_SIZE=1 (set in the child's environment, so
// before the pool starts). It writes with fs.writeSync(1) so the async_hooks lines keep their
// place among the others.
// A-D: the read is started, main (or the starting timer) blocks 20 ms so the first request
//   has completed before the first poll, and a setImmediate re-arms itself each check phase
//   and counts, busy-waiting 20 ms each time (so a request submitted in a poll has completed
//   by the next poll). A: fs.promises.readFile(small, 'utf8') (13 bytes); B: the same of an
//   empty file; C, D: fs.readFile of the same files, for comparison.
// E: pool size 1: fs.promises.readFile(small), then a ~100 ms crypto.pbkdf2 submitted right
//   after it in the same callback. An async_hooks hook logs each pool request when it is
//   issued (init: FSREQPROMISE / FILEHANDLECLOSEREQ / PBKDF2REQUEST) and when its
//   completion is delivered (before). req1 is the open, req2 the fstat, req3 the read, req4
//   the close. The fstat is issued only when the open's completion is delivered, so it
//   queues behind the pbkdf2 that took the only worker.
//
// Reading it: both forms take 4 pool requests, each delivered by its own poll: done after 3
// immediates (the 4th poll), for a small file and an empty one alike.
//
// Node v20.20.2 printed, 10 of 10 runs:
//   A fs.promises.readFile small: immediate 1
//   A fs.promises.readFile small: immediate 2
//   A fs.promises.readFile small: immediate 3
//   A resolved "Hello, world!"
//   A fs.promises.readFile small: done after 3 immediates
//   B fs.promises.readFile empty: immediate 1
//   B fs.promises.readFile empty: immediate 2
//   B fs.promises.readFile empty: immediate 3
//   B resolved "" (length 0)
//   B fs.promises.readFile empty: done after 3 immediates
//   C fs.readFile small: immediate 1
//   C fs.readFile small: immediate 2
//   C fs.readFile small: immediate 3
//   C callback "Hello, world!"
//   C fs.readFile small: done after 3 immediates
//   D fs.readFile empty: immediate 1
//   D fs.readFile empty: immediate 2
//   D fs.readFile empty: immediate 3
//   D callback "" (length 0)
//   D fs.readFile empty: done after 3 immediates
//   E issue req1 (FSREQPROMISE)
//   E issue pbkdf2 (PBKDF2REQUEST)
//   E complete req1
//   E issue req2 (FSREQPROMISE)
//   E complete pbkdf2
//   E pbkdf2 callback
//   E complete req2
//   E issue req3 (FSREQPROMISE)
//   E complete req3
//   E issue req4 (FILEHANDLECLOSEREQ)
//   E complete req4
//   E readFile resolved "Hello, world!"
'use strict';
const fs = require('fs');
const path = require('path');
const os = require('os');
const crypto = require('crypto');
const asyncHooks = require('async_hooks');

if (process.env.UV_THREADPOOL_SIZE !== '1') {
  const r = require('child_process').spawnSync(process.execPath, [__filename],
    { env: { ...process.env, UV_THREADPOOL_SIZE: '1' }, stdio: 'inherit' });
  process.exit(r.status);
}

// Synchronous writes only, so the async_hooks lines and the others keep their order.
const log = (s) => fs.writeSync(1, `${s}\n`);
function block(ms) { const end = performance.now() + ms; while (performance.now() < end); }

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-fspromises-'));
const small = path.join(dir, 'small.txt');
const empty = path.join(dir, 'empty.txt');
fs.writeFileSync(small, 'Hello, world!');
fs.writeFileSync(empty, '');

// Immediates that re-arm themselves; each busy-waits 20 ms so that a pool request queued
// in the poll before it has completed by the next poll. `read` reports how many ran.
function countIterations(label, read, next) {
  let count = 0, finished = false;
  read(() => { log(`${label}: done after ${count} immediates`); finished = true; });
  block(20); // the first request (open) has completed before the first poll
  const tick = () => {
    if (finished) { setTimeout(next, 20); return; }
    count++;
    log(`${label}: immediate ${count}`);
    block(20);
    setImmediate(tick);
  };
  setImmediate(tick);
}

const parts = [
  (next) => countIterations('A fs.promises.readFile small',
    (cb) => fs.promises.readFile(small, 'utf8').then((s) => { log(`A resolved "${s}"`); cb(); }), next),
  (next) => countIterations('B fs.promises.readFile empty',
    (cb) => fs.promises.readFile(empty, 'utf8').then((s) => { log(`B resolved "${s}" (length ${s.length})`); cb(); }), next),
  (next) => countIterations('C fs.readFile small',
    (cb) => fs.readFile(small, 'utf8', (e, s) => { log(`C callback "${s}"`); cb(); }), next),
  (next) => countIterations('D fs.readFile empty',
    (cb) => fs.readFile(empty, 'utf8', (e, s) => { log(`D callback "${s}" (length ${s.length})`); cb(); }), next),
  (next) => {
    // E: pool size 1. fs.promises.readFile, then a ~100 ms pbkdf2 submitted right after it.
    // async_hooks shows each pool request when it is issued (init) and when its completion
    // is delivered (before).
    const iters = calibrate(100);
    const names = new Map();
    let n = 0;
    const hook = asyncHooks.createHook({
      init(id, type) {
        if (type === 'FSREQPROMISE' || type === 'FILEHANDLECLOSEREQ' || type === 'PBKDF2REQUEST') {
          const name = type === 'PBKDF2REQUEST' ? 'pbkdf2' : `req${++n}`;
          names.set(id, name);
          log(`E issue ${name} (${type})`);
        }
      },
      before(id) { if (names.has(id)) log(`E complete ${names.get(id)}`); },
    }).enable();
    fs.promises.readFile(small, 'utf8').then((s) => { log(`E readFile resolved "${s}"`); hook.disable(); });
    crypto.pbkdf2('secret', 'salt', iters, 32, 'sha256', () => log('E pbkdf2 callback'));
  },
];

function calibrate(ms) {
  const k = 20000;
  const t0 = performance.now();
  crypto.pbkdf2Sync('secret', 'salt', k, 32, 'sha256');
  return Math.max(1, Math.round(k * ms / (performance.now() - t0)));
}

function run(i) { if (i < parts.length) parts[i](() => run(i + 1)); }
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
run(0);
