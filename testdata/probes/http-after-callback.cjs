// Probe: http-after-callback (SPEC §2 rule 11).
// http.get starts the connection after the current callback and writes the request only
// when the connection completes in poll, so a server delay counts from then:
// lib/_http_client.js ClientRequest -> onSocket -> process.nextTick(onSocketNT) ->
// tickOnSocket; lib/net.js Socket.connect -> lookupAndConnect: for an IP literal,
// `process.nextTick(connect...)` -> internalConnect (connect(2), EINPROGRESS); the
// completion is libuv's uv__stream_connect on the writable event in uv__io_poll, which calls
// afterConnect -> 'connect'; data written while connecting is held (`_pendingData`,
// Socket._writeGeneric) until 'connect'.
//
// Each part is the main program of a child process (rule 3: timers due after main run
// before the first poll, which part C and D rely on). The server is the parent process (http.createServer on 127.0.0.1, port 0):
// /delay/100 answers 100 ms after the request arrives; the client is this file re-run as a
// child process per part, so the server's timer is never blocked by the client's busy loops.
// Part A: main arms T = setTimeout(350), calls http.get(/delay/100), blocks 300 ms.
//   If the delay counted from the call, the response would be ready at ~100; if from the
//   first poll (the request written then), at ~400.
// Part B (control): main calls http.get(/delay/100) and does not block; when the socket
//   connects (request written), T = setTimeout(600) is armed and a setImmediate blocks
//   300 ms: the response is ready ~100 ms after the connect, read at the first poll after
//   the block (~300), before T. (T is armed at the connect, not in main, because a slow
//   process start can delay the first connect by tens of ms; 600 rather than 350 because on
//   a loaded machine the server process answered up to ~340 ms late.)
// Part C: main arms T = setTimeout(350) and X = setTimeout(1), calls http.get(/delay/100),
//   blocks 5 ms (so X is due at the first timers phase); X blocks 300 ms. connect(2) has
//   run in the nextTick after main, before X, but the request is written only in the poll
//   after X: response ready at ~405.
// Part D (phases): main logs, http.get, queues a nextTick, a setImmediate and
//   setTimeout(1), blocks 5 ms; logs req 'socket', socket 'connect', 'response'.
//
// Node v20.20.2 printed, 10 of 10 runs:
//   partA: timer 350
//   partA: response
//   partB: response
//   partB: timer 600
//   partC: timer 1 (blocks 300 ms)
//   partC: timer 350
//   partC: response
//   partD: main
//   partD: req socket
//   partD: nextTick
//   partD: timer 1
//   partD: socket connect
//   partD: immediate
//   partD: response
// Reading: A and C: the server's 100 ms count from the poll in which the connection
// completes and the request is written (~300/~305 ms), not from the http.get call (0) nor
// from connect(2) (the nextTick after main, before C's timer): the response is ready at
// ~400 and the 350 ms timer fires first. B: once written, a delay elapses during a block.
// D: 'socket' is emitted in a nextTick (before the one main queued after http.get),
// 'connect' in the first poll (after the first timers phase), before check.
'use strict';
const http = require('http');
const { spawn } = require('child_process');

function block(ms) { const end = performance.now() + ms; while (performance.now() < end); }

if (process.argv[2] !== 'client') {
  const server = http.createServer((req, res) => {
    const m = /^\/delay\/(\d+)$/.exec(req.url);
    setTimeout(() => res.end('OK'), m ? +m[1] : 0);
  });
  server.listen(0, '127.0.0.1', () => {
    // Each part runs as the main program of its own child process, one after the other.
    const parts = ['A', 'B', 'C', 'D'];
    const runPart = () => {
      const part = parts.shift();
      if (!part) { server.close(); server.closeAllConnections(); return; }
      const child = spawn(process.execPath,
        [__filename, 'client', String(server.address().port), part], { stdio: 'inherit' });
      child.on('exit', (code) => { if (code) process.exitCode = code; runPart(); });
    };
    runPart();
  });
  return;
}

const port = +process.argv[3];
const get = (p, cb) => http.get({ host: '127.0.0.1', port, path: p, agent: false }, cb);


function partA() {
  const done = () => {};
  setTimeout(() => { console.log('partA: timer 350'); done(); }, 350);
  get('/delay/100', (res) => { res.resume(); console.log('partA: response'); done(); });
  block(300);
}

function partB() {
  const done = () => {};
  const req = get('/delay/100', (res) => { res.resume(); console.log('partB: response'); done(); });
  req.on('socket', (s) => s.on('connect', () => {
    setTimeout(() => { console.log('partB: timer 600'); done(); }, 600);
    setImmediate(() => block(300));
  }));
}

function partC() {
  const done = () => {};
  setTimeout(() => { console.log('partC: timer 350'); done(); }, 350);
  setTimeout(() => { console.log('partC: timer 1 (blocks 300 ms)'); block(300); }, 1);
  get('/delay/100', (res) => { res.resume(); console.log('partC: response'); done(); });
  block(5);
}

function partD() {
  console.log('partD: main');
  const req = get('/delay/0', (res) => { res.resume(); console.log('partD: response'); });
  req.on('socket', (s) => {
    console.log('partD: req socket');
    s.on('connect', () => console.log('partD: socket connect'));
  });
  process.nextTick(() => console.log('partD: nextTick'));
  setImmediate(() => console.log('partD: immediate'));
  setTimeout(() => console.log('partD: timer 1'), 1);
  block(5);
}

({ A: partA, B: partB, C: partC, D: partD })[process.argv[4]]();
