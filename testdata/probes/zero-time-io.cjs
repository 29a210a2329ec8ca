// Probe: zero-time-io (what `looptest explore` gives a cost or delay of 0).
// A fs.readFile of a small file and an http.get to a server that answers at once, both started
// by main, finish in either order: neither takes no time. The server runs in this process on
// 127.0.0.1, port 0; the measured client is a child process (node zero-time-io.cjs child PORT).
//
// Node v20.20.2, 20 runs, on a loaded two-core machine (load average 14-18):
//   order: read http   <- 18 of 20 runs
//   order: http read   <- 2 of 20 runs
// The program `looptest node` makes of a read of cost 0 and an http of delay 0, against
// `looptest serve`, printed the HTTP response first in 17 of 20 runs, the read's in 3.
// Timed with process.hrtime around each call (20 calls one after the other, 3 runs, server in
// the client's process): the first readFile of a run 1.6 to 59 ms (it starts the pool's
// threads), later ones 82 µs and up, medians 117 to 171 µs; an http.get to its response 793 µs
// and up, medians 1.4 to 4.1 ms.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { spawn } = require('node:child_process');

if (process.argv[2] === 'child') {
  const port = Number(process.argv[3]);
  const file = path.join(__dirname, 'zero-time-io.cjs');
  const order = [];
  const done = (what) => {
    order.push(what);
    if (order.length === 2) console.log('order: ' + order.join(' '));
  };
  fs.readFile(file, () => done('read'));
  http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
    res.resume();
    done('http');
  });
} else {
  const srv = http.createServer((req, res) => res.end('x'));
  srv.listen(0, '127.0.0.1', () => {
    const child = spawn(process.execPath, [__filename, 'child', String(srv.address().port)], { stdio: 'inherit' });
    child.on('exit', () => srv.close());
  });
}
