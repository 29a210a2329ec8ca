// Probe: what an HTTP request costs in Node.js (SPEC §2, the end of the ordering rules; the
// rules' 18th in docs/rules.md).
// Node sets its HTTP client up lazily: the first http.get of a process loads and builds the
// agent, the outgoing message and the net module's connect path (3 ms and more), and the
// connect, which lib/net.js's lookupAndConnect runs in a nextTick after the calling callback,
// takes longer the first time. Every response then takes a round trip: the connection, the
// write, the server's turnaround in its own process and the read.
//
// The server runs in this process; each case runs as a child process, stdout a pipe:
// T: how long, in ms, the first and the second request of a process take: the http.get call
//    itself, its connect tick, until 'connect', until the response's 'end' (8 runs).
// A: in main, after the first log: a request answered at once, setTimeout 0, setImmediate,
//    process.nextTick (30 runs).
// B: in an fs.readFile callback: a request answered at once, setTimeout 0 and 2 (20 runs).
// C: in main: a response cut short 10 ms after the request (5 of 10 body bytes, then the
//    connection closes) against a 10 ms timeout that queues an immediate (20 runs).
// D: in main: setTimeout 2, then the request, then setTimeout 0 (20 runs).
// E: in main: two requests answered at once (20 runs).
//
// Node v20.20.2 printed (2 CPUs, idle but for other jobs' builds: load average 3 to 5):
//   T: first get 3.8-5.6 tick 1.7-2.9; first connect 6.1-8.8; first response 8.4-15.9
//      (2.3-7.2 after connect); second get 0.4-1.3 tick 0.6-1.1; second connect 2.3-4.0;
//      second response 3.2-5.0 (0.8-1.3 after connect). Measured the same way on an idle
//      machine, 8 runs: the first get 3.2-3.5, its tick 1.35-1.5, connect 5.1-5.5, response
//      7.0-11.5; the second get 0.3-0.5, tick 0.53-0.62, connect 1.85-2.1, response 2.6-3.2.
//   A: 30/30 start | nextTick | timeout 0 | immediate | http
//   B: 20/20 read | timeout 0 | timeout 2 | http
//   C: 20/20 start | timer 10 | imm from timer | closed | error aborted
//   D: 20/20 start | timeout 2 | timeout 0 | http
//   E: 20/20 a | b
'use strict';
const http = require('node:http');
const { execFile } = require('node:child_process');

// The server, in this process: each child is a client in a process of its own, as a program
// and looptest's delay server are. /x answers at once; /cut sends half a 10-byte body after
// 10 ms and closes the connection.
const server = http.createServer((req, res) => {
  if (req.url === '/cut') {
    setTimeout(() => {
      res.writeHead(200, { 'Content-Length': 10 });
      res.write('01234');
      setImmediate(() => res.destroy());
    }, 10);
    return;
  }
  res.end('ok');
});

const getSrc = `const http = require('node:http');
const get = (path, then, errorCb, closed) => {
  const req = http.get({ host: '127.0.0.1', port: PORT, path, agent: false }, (res) => {
    res.resume();
    res.on('end', () => then(res));
    res.on('error', (e) => errorCb(e));
  });
  if (errorCb) req.on('error', errorCb);
  if (closed) req.on('close', closed);
  return req;
};
`;
const cases = {
  // How long each part of a request takes, the first of the process and the second.
  T: `const T = () => Number(process.hrtime.bigint()) / 1e6;
      const out = [];
      function one(tag, done) {
        const t0 = T();
        const req = get('/x', () => { out.push(tag + ' response ' + (T() - t0).toFixed(1) + ' (after connect ' + (T() - tc).toFixed(1) + ')'); done(); });
        const t1 = T();
        let tc;
        process.nextTick(() => out.push(tag + ' get ' + (t1 - t0).toFixed(1) + ' tick ' + (T() - t1).toFixed(1)));
        req.on('socket', (s) => s.on('connect', () => { tc = T(); out.push(tag + ' connect ' + (tc - t0).toFixed(1)); }));
      }
      one('first', () => one('second', () => console.log(out.join('; '))));`,
  // In main, after the first log: the request, a 0 ms timeout, an immediate, a nextTick.
  A: `console.log('start');
      get('/x', () => console.log('http'));
      setTimeout(() => console.log('timeout 0'), 0);
      setImmediate(() => console.log('immediate'));
      process.nextTick(() => console.log('nextTick'));`,
  // In an fs.readFile callback: the request, then timeouts of 0 and 2 ms.
  B: `require('node:fs').readFile(__filename, () => {
        console.log('read');
        get('/x', () => console.log('http'));
        setTimeout(() => console.log('timeout 0'), 0);
        setTimeout(() => console.log('timeout 2'), 2);
      });`,
  // In main: a response cut short at 10 ms against a 10 ms timeout that queues an immediate.
  C: `console.log('start');
      get('/cut', () => console.log('end'), (e) => console.log('error', e.message), () => console.log('closed'));
      setTimeout(() => { console.log('timer 10'); setImmediate(() => console.log('imm from timer')); }, 10);`,
  // In main: a 2 ms timeout armed before the request, a 0 ms one after it.
  D: `console.log('start');
      setTimeout(() => console.log('timeout 2'), 2);
      get('/x', () => console.log('http'));
      setTimeout(() => console.log('timeout 0'), 0);`,
  // In main: two requests answered at once.
  E: `get('/x', () => console.log('a'));
      get('/x', () => console.log('b'));`,
};

let PORT_; // the server's port, once it listens

function run(src, n) {
  return new Promise((resolve) => {
    const counts = new Map();
    let left = n;
    const one = () => execFile(process.execPath, ['-e', getSrc.replace('PORT', PORT_) + src], (err, stdout) => {
      const out = stdout.trim().split('\n').join(' | ');
      counts.set(out, (counts.get(out) || 0) + 1);
      if (--left > 0) one();
      else resolve([...counts].map(([out, k]) => `${k}/${n} ${out}`).join(',\n     '));
    });
    one();
  });
}

server.listen(0, '127.0.0.1', async () => {
  PORT_ = server.address().port;
  for (const [name, src] of Object.entries(cases)) {
    if (name === 'T') {
      for (let i = 0; i < 8; i++) process.stdout.write(`T: ${await run(src, 1)}\n`);
      continue;
    }
    process.stdout.write(`${name}: ${await run(src, name === 'A' ? 30 : 20)}\n`);
  }
  server.close();
});
