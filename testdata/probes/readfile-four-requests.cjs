// Probe: readfile-four-requests (SPEC §2 rule 10).
// fs.readFile (lib/fs.js readFile -> ReadFileContext in lib/internal/fs/read/context.js) is a
// chain of threadpool requests, each submitted from the completion callback of the one
// before: open (readFileAfterOpen) -> fstat (readFileAfterStat) -> read (readFileAfterRead;
// one read suffices for a small file of known size: `context.pos === context.size` ->
// close) -> close (readFileAfterClose calls the user callback). libuv's pool is FIFO
// (src/threadpool.c post/worker), and completions reach the loop in poll (uv__work_done).
//
// Part 1: UV_THREADPOOL_SIZE=1 (the probe re-runs itself with it set); fs.readFile of a
//   small file, then crypto.pbkdf2 of ~100 ms submitted right after it. The open runs
//   first; the pbkdf2 takes the only worker before the fstat is even submitted, so the
//   readFile's remaining requests wait for it.
// Part 2: readFile + a setImmediate that re-arms itself and counts iterations (each
//   immediate busy-waits 20 ms so the pool request queued in the poll before it has
//   completed by the next poll); the readFile's callback reports the count.
//
// Node v20.20.2 printed, 10 of 10 runs:
//   part1: pbkdf2 done
//   part1: readFile done (13 bytes)
//   part2: immediate 1
//   part2: immediate 2
//   part2: immediate 3
//   part2: readFile done after 3 immediates
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const os = require('os');

if (process.env.UV_THREADPOOL_SIZE !== '1') {
  const r = require('child_process').spawnSync(process.execPath, [__filename],
    { env: { ...process.env, UV_THREADPOOL_SIZE: '1' }, stdio: 'inherit' });
  process.exit(r.status);
}

function block(ms) { const end = performance.now() + ms; while (performance.now() < end); }

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-readfile-'));
const file = path.join(dir, 'test.txt');
fs.writeFileSync(file, 'Hello, world!');

// Iterations of pbkdf2 for ~100 ms on this machine (calibrated synchronously).
function calibrate(ms) {
  const n = 20000;
  const t0 = performance.now();
  crypto.pbkdf2Sync('secret', 'salt', n, 32, 'sha256');
  return Math.max(1, Math.round(n * ms / (performance.now() - t0)));
}
const iters = calibrate(100);

function part1(next) {
  let n = 0;
  const done = () => { if (++n === 2) setTimeout(next, 30); };
  fs.readFile(file, (err, buf) => { console.log(`part1: readFile done (${buf.length} bytes)`); done(); });
  crypto.pbkdf2('secret', 'salt', iters, 32, 'sha256', () => { console.log('part1: pbkdf2 done'); done(); });
}

function part2() {
  let count = 0, finished = false;
  fs.readFile(file, () => {
    finished = true;
    console.log(`part2: readFile done after ${count} immediates`);
    fs.rmSync(dir, { recursive: true });
  });
  block(20);  // the open has completed before the first poll
  const tick = () => {
    if (finished) return;
    count++;
    console.log(`part2: immediate ${count}`);
    block(20);
    setImmediate(tick);
  };
  setImmediate(tick);
}

part1(part2);
