// Probe: close-order (SPEC §2 rule 12).
// libuv keeps closing handles in a stack: src/unix/core.c uv__make_close_pending pushes
// (`handle->next_closing = loop->closing_handles; loop->closing_handles = handle;`) and
// uv__run_closing_handles walks it from the top, so close callbacks run in the reverse of
// the order the handles were closed. lib/net.js Socket._destroy emits 'close' from the
// handle's close callback (`this._handle.close(() => this.emit('close', ...))`), and
// lib/_http_client.js socketCloseListener emits the request's 'close' from the socket's.
//
// The server is this program's parent process (http.createServer on 127.0.0.1, port 0);
// the client is the same file re-run as a child, so the server's timers never share the
// client's loop.
// Part 1 (HTTP): three http.get (agent: false) to /delay/50, which the server answers
//   50 ms after each request arrives. Once all three sockets have connected (requests
//   written), the client blocks 150 ms in an immediate so all three responses are waiting
//   when it next polls; each response's 'end' handler calls
//   req.destroy(); log 'end' and each request's 'close'. req1's 'end' handler also queues
//   a setImmediate, to place the 'close' lines after the check phase.
// Part 2 (net): three net sockets connected to the server; once all are connected, one
//   callback destroys s1, s2, s3 in that order; log each socket's 'close'.
// Part 3 (contrast, not a libuv close callback): three fs.watch watchers closed w1, w2,
//   w3: FSWatcher.close emits 'close' from process.nextTick (lib/internal/fs/watchers.js),
//   so in close() order.
//
// Node v20.20.2 printed, 10 of 10 runs:
//   part1: req1 response end
//   part1: req2 response end
//   part1: req3 response end
//   part1: immediate queued at req1 end
//   part1: req3 close
//   part1: req2 close
//   part1: req1 close
//   part2: destroyed s1, s2, s3
//   part2: s3 close
//   part2: s2 close
//   part2: s1 close
//   part3: closed w1, w2, w3
//   part3: w1 close
//   part3: w2 close
//   part3: w3 close
// i.e. all three 'end's in the one poll, then check, then the close phase runs the
// requests' 'close' in reverse (3, 2, 1); same for plain net sockets; fs.watch's 'close'
// (a nextTick) keeps close() order.
'use strict';
const http = require('http');
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');

function block(ms) { const end = performance.now() + ms; while (performance.now() < end); }

if (process.argv[2] !== 'client') {
  const server = http.createServer((req, res) => {
    const m = /^\/delay\/(\d+)$/.exec(req.url);
    setTimeout(() => res.end('OK'), m ? +m[1] : 0);
  });
  server.listen(0, '127.0.0.1', () => {
    const child = spawn(process.execPath, [__filename, 'client', String(server.address().port)],
      { stdio: 'inherit' });
    child.on('exit', (code) => { server.close(); server.closeAllConnections(); process.exitCode = code; });
  });
  return;
}

const port = +process.argv[3];

function part1(next) {
  let closed = 0, connected = 0;
  for (const i of [1, 2, 3]) {
    const req = http.get({ host: '127.0.0.1', port, path: '/delay/50', agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        console.log(`part1: req${i} response end`);
        if (i === 1) setImmediate(() => console.log('part1: immediate queued at req1 end'));
        req.destroy();
      });
    });
    req.on('close', () => { console.log(`part1: req${i} close`); if (++closed === 3) setTimeout(next, 30); });
    // Once all three requests are written (on 'connect'), block 150 ms.
    req.on('socket', (s) => s.on('connect', () => { if (++connected === 3) setImmediate(() => block(150)); }));
  }
}

function part2(next) {
  const socks = [];
  let connected = 0, closed = 0;
  for (const i of [1, 2, 3]) {
    const s = net.connect(port, '127.0.0.1', () => {
      if (++connected === 3) setTimeout(() => {
        for (const t of socks) t.destroy();
        console.log('part2: destroyed s1, s2, s3');
      }, 20);
    });
    s.on('close', () => { console.log(`part2: s${i} close`); if (++closed === 3) setTimeout(next, 30); });
    socks.push(s);
  }
}

function part3() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-close-'));
  const ws = [1, 2, 3].map((i) => {
    const w = fs.watch(dir);
    w.on('close', () => { console.log(`part3: w${i} close`); if (i === 3) fs.rmSync(dir, { recursive: true }); });
    return w;
  });
  setTimeout(() => { for (const w of ws) w.close(); console.log('part3: closed w1, w2, w3'); }, 20);
}

part1(() => part2(part3));
