// Probe: the first console.log sets stdout up (SPEC §2, the end of the ordering rules; the
// rules' 17th in docs/rules.md).
// Node creates process.stdout lazily, on its first use (lib/internal/bootstrap/switches/
// is_main_thread.js getStdout -> createWritableStdioStream): for a pipe it makes a net.Socket
// over a Pipe handle, for a file a SyncWriteStream, for a terminal a tty.WriteStream. That
// takes milliseconds of CPU, once per process, inside the first console.log.
//
// Each case runs as its own child process, 30 times, stdout a pipe:
// A: setTimeout 0 and setImmediate armed before the first console.log.
// B: the same armed after it.
// C: no log in main (the first log is in whichever callback runs first).
// D: setTimeout 2, 4, 6 ms armed before the first log, against setImmediate.
// E: how long the first console.log takes (CPU and wall, microseconds), and the second.
//
// Node v20.20.2 printed (2 CPUs, other jobs loading the machine):
//   A: 30/30 main timeout immediate
//   B: 20/30 main timeout immediate, 10/30 main immediate timeout (a second time: 11/30, 19/30)
//   C: 9/30 timeout immediate, 21/30 immediate timeout (a second time: 4/30, 26/30)
//   D: 2 ms, 4 ms and 6 ms: 20/20 main timeout immediate (8 ms: 9/20; 12 ms: 7/20)
//   E: first log 6-8 ms wall, 6-7.7 ms CPU (to a file: 3.8-5.3 ms); the second 40-370 us
'use strict';
const { spawnSync } = require('node:child_process');

const cases = {
  A: `setTimeout(() => console.log('timeout'), 0);
      setImmediate(() => console.log('immediate'));
      console.log('main');`,
  B: `console.log('main');
      setTimeout(() => console.log('timeout'), 0);
      setImmediate(() => console.log('immediate'));`,
  C: `setTimeout(() => console.log('timeout'), 0);
      setImmediate(() => console.log('immediate'));`,
};
for (const ms of [2, 4, 6]) {
  cases[`D ${ms} ms`] = `setTimeout(() => console.log('timeout'), ${ms});
      setImmediate(() => console.log('immediate'));
      console.log('main');`;
}

function run(src, n) {
  const counts = new Map();
  for (let i = 0; i < n; i++) {
    const out = spawnSync(process.execPath, ['-e', src], { encoding: 'utf8' }).stdout.trim().split('\n').join(' ');
    counts.set(out, (counts.get(out) || 0) + 1);
  }
  return [...counts].map(([out, k]) => `${k}/${n} ${out}`).join(', ');
}

for (const [name, src] of Object.entries(cases)) {
  process.stdout.write(`${name}: ${run(src, name.startsWith('D') ? 20 : 30)}\n`);
}
const timing = `const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
  console.log('first');
  const c1 = process.cpuUsage(c0), t1 = process.hrtime.bigint();
  console.log('second');
  const t2 = process.hrtime.bigint();
  process.stderr.write(\`first \${(t1 - t0) / 1000n} us wall, \${c1.user + c1.system} us CPU; second \${(t2 - t1) / 1000n} us\\n\`);`;
for (let i = 0; i < 5; i++) {
  process.stdout.write(`E: ${spawnSync(process.execPath, ['-e', timing], { encoding: 'utf8' }).stderr}`);
}
