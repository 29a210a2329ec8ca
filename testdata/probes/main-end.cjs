// Probe: the first line printed after main returns (docs/rules.md 19).
// After main's last statement Node.js finishes running the main module, then drains the
// nextTicks and microtasks main queued, then begins the loop. A setTimeout 0 armed in main
// after the first console.log is due when the loop begins only if a millisecond of the loop's
// clock ended in between: how often that happens says how long that stretch takes.
//
// Each case runs as its own child process, 40 times, stdout a pipe; every case logs first
// (the first log sets stdout up: rule 17), then arms setTimeout(0) (or 2) and setImmediate,
// then does what its name says. "tick(log)" is process.nextTick(() => console.log(...)),
// "then(log)" Promise.resolve().then(...), "micro(log)" queueMicrotask(...).
// Part T: times in microseconds, one run: each console.log in main after the first, then the
// first and second lines printed after main, then from the last of them to the check phase.
//
// Node v20.20.2 printed (2 CPUs, quiet), timeout first in two series (of 30 or 40, then 40):
//   log; T0 I                                          16/30, 20/40
//   log; T0 I; tick(noop)                              16/30, 26/40
//   log; T0 I; then(noop)                              13/30, 21/40
//   log; T0 I; tick(log)                               35/40, 34/40
//   log; T0 I; then(log)                               35/40, 32/40
//   log; T0 I; log; tick(log); then(log)               37/40, 38/40
//   log; T0 I; tick(log); then(log); micro(log); log   30/30, 40/40
//   log; T2 I; log; tick(log); then(log); micro(log)   12/40, 11/40 (the 2 ms timeout first)
//   T0 I; tick(log) (the run's first line after main)  40/40, 40/40
//   T: main's later logs 15-240 µs each; the first line after main 440-780 µs after main's
//      last line (510-630 in the second series), the second 80-370 µs after it; then 210-460
//      µs to the check phase
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const arm = (d) => `setTimeout(() => console.log('timeout'), ${d});
setImmediate(() => console.log('immediate'));
`;
const tick = "process.nextTick(() => console.log('t'));";
const then = "Promise.resolve().then(() => console.log('p'));";
const micro = "queueMicrotask(() => console.log('m'));";
const cases = {
  'log; T0 I': "console.log('main');" + arm(0),
  'log; T0 I; tick(noop)': "console.log('main');" + arm(0) + 'process.nextTick(() => {});',
  'log; T0 I; then(noop)': "console.log('main');" + arm(0) + 'Promise.resolve().then(() => {});',
  'log; T0 I; tick(log)': "console.log('main');" + arm(0) + tick,
  'log; T0 I; then(log)': "console.log('main');" + arm(0) + then,
  'log; T0 I; log; tick(log); then(log)': "console.log('main');" + arm(0) + "console.log('end');" + tick + then,
  'log; T0 I; tick(log); then(log); micro(log); log': "console.log('main');" + arm(0) + tick + then + micro + "console.log('end');",
  'log; T2 I; log; tick(log); then(log); micro(log)': "console.log('main');" + arm(2) + "console.log('end');" + tick + then + micro,
  'T0 I; tick(log)': arm(0) + tick,
};

const file = path.join(os.tmpdir(), `main-end-${process.pid}.cjs`);
const runs = 40;
for (const [name, program] of Object.entries(cases)) {
  fs.writeFileSync(file, program);
  let first = 0;
  for (let i = 0; i < runs; i++) {
    const lines = spawnSync(process.execPath, [file], { encoding: 'utf8' }).stdout.split('\n');
    if (lines.indexOf('timeout') < lines.indexOf('immediate')) first++;
  }
  console.log(`${name}: timeout first ${first}/${runs}`);
}

fs.writeFileSync(file, `
const us = () => Number(process.hrtime.bigint()) / 1e3;
const at = [];
console.log('first');
at.push(us());
for (let i = 0; i < 6; i++) { console.log('main ' + i); at.push(us()); }
process.nextTick(() => { console.log('tick'); at.push(us()); });
Promise.resolve().then(() => { console.log('then'); at.push(us()); });
setImmediate(() => {
  const d = at.slice(1).map((t, i) => (t - at[i]).toFixed(0));
  process.stderr.write('T: main ' + d.slice(0, 6).join(' ') + '; after main ' + d.slice(6).join(' ') +
    '; to check ' + (us() - at[at.length - 1]).toFixed(0) + '\\n');
});`);
for (let i = 0; i < 3; i++) process.stdout.write(spawnSync(process.execPath, [file], { encoding: 'utf8' }).stderr);
fs.rmSync(file);
