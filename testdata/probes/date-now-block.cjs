// Probe: where in a loop millisecond main arms a timer after a busy wait on Date.now().
// The usual stand-in for a block, `while (Date.now() < end);`, ends right after the wall
// clock's millisecond ticks. Node's loop counts milliseconds of the monotonic clock (libuv's
// uv_now), whose ticks keep a fixed offset from the wall clock's. So a setTimeout 0 armed right
// after the wait starts at that offset into a loop millisecond, every run: whether the loop,
// a fraction of a millisecond later, finds it due is the machine's, not chance.
//
// Each case runs as its own child process, 24 times, stdout a pipe; every case logs first (the
// first log sets stdout up: docs/rules.md 17), then arms setTimeout 0 and setImmediate.
// A: no wait between the log and the arming.
// B: a busy wait on Date.now() of 5, 20 or 50 ms (8 runs each) between them.
// C: the same wait on process.hrtime (ends anywhere in a millisecond).
// It also prints, for B, where in the monotonic clock's millisecond the wait ended (µs).
//
// Node v20.20.2 printed (2 CPUs, quiet), twice:
//   A: timeout first 12/24 and 17/24
//   B: timeout first 24/24 both times; the wait ended 360-600 µs into a monotonic millisecond
//      (an earlier series, with the same arming from a hand-written file: 280-350 µs, 24/24)
//   C: timeout first 15/24 and 19/24
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const arm = `setTimeout(() => console.log('timeout'), 0);
  setImmediate(() => console.log('immediate'));`;
const wall = (ms) => `{ const e = Date.now() + ${ms}; while (Date.now() < e); }
  const at = Number(process.hrtime.bigint() % 1000000n) / 1000;
  process.on('exit', () => process.stderr.write(String(at)));`;
const mono = (ms) => `{ const e = process.hrtime.bigint() + ${ms}000000n; while (process.hrtime.bigint() < e); }`;
const cases = {
  A: [`console.log('main'); ${arm}`],
  B: [5, 20, 50].map((ms) => `console.log('main'); ${wall(ms)} ${arm}`),
  C: [5, 20, 50].map((ms) => `console.log('main'); ${mono(ms)} ${arm}`),
};

for (const [name, programs] of Object.entries(cases)) {
  let first = 0, runs = 0;
  const phases = [];
  for (let i = 0; i < 24; i++) {
    const file = path.join(os.tmpdir(), `date-now-block-${process.pid}.cjs`);
    fs.writeFileSync(file, programs[i % programs.length]);
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    fs.rmSync(file);
    runs++;
    if (r.stdout.split('\n')[1] === 'timeout') first++;
    if (r.stderr) phases.push(Math.round(Number(r.stderr)));
  }
  const where = phases.length ? `; ended at ${phases.sort((a, b) => a - b).join(' ')} µs` : '';
  console.log(`${name}: timeout first ${first}/${runs}${where}`);
}
