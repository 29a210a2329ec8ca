// Probe: socket-timeout (SPEC §2 rule 11).
// http.get's timeout option is the socket's idle timeout: lib/_http_agent.js createSocket ->
// net.createConnection(options) -> socket.setTimeout(timeout) (lib/net.js setStreamTimeout ->
// setUnrefTimeout: an unref'd timer, started at getLibuvNow(), at the back of its delay's
// list), armed synchronously inside http.get; lib/_http_client.js tickOnSocket ->
// listenSocketTimeout makes the socket's 'timeout' the request's. lib/net.js calls
// Socket.prototype._unrefTimer, which is kTimeout.refresh(), in afterConnect, in
// _writeGeneric (the request, held while connecting, is written right after 'connect') and in
// onStreamRead for every read (lib/internal/stream_base_commons.js, kUpdateTimer): the
// deadline counts from the last of them, and refresh (lib/internal/timers.js insertGuarded ->
// insert -> L.append) puts the timer at the back of its list. The user destroys the request
// on 'timeout', as the docs say to.
//
// The parent process is the server (127.0.0.1, port 0): /delay/N answers N ms after the
// request arrives; /split/N/M sends the head and half the body at N, the rest M later. Each
// part runs as the main program of a child process.
// Part A: setTimeout(A, 100); http.get(/delay/300, timeout 100); setTimeout(B, 100).
// Part B: http.get(/delay/50, timeout 100), then main blocks 150 ms.
// Part C: http.get(/delay/100, timeout 200), then main blocks 150 ms.
// Part D: http.get(/delay/300, timeout 50): on 'timeout', a nextTick and an immediate are
//   queued after the destroy; 'close' is logged; setTimeout(60) armed in main.
// Part E: http.get(/split/60/60, timeout 100): no 60 ms gap without a read reaches 100.
//
// Node v20.20.2 printed, 10 of 10 runs (part D: 9 of 10; once, on a loaded machine, `timer
// 60` came before the immediate):
//   partA: timer A (100, before the request)
//   partA: timer B (100, after the request)
//   partA: timeout
//   partA: error timed out
//   partB: timeout
//   partB: error timed out
//   partC: connect
//   partC: response
//   partD: timeout
//   partD: error timed out
//   partD: nextTick queued in timeout
//   partD: immediate queued in timeout
//   partD: req close
//   partD: timer 60
//   partE: response
// Reading: A: the connect's refresh moved the socket timer behind B, armed after the request
// in the same 100 ms list. B: a block longer than the timeout uses it up before the first
// poll, so it fires before the connect completes (the timers before the first iteration).
// C: a shorter block does not: the timeout counts from the connect. D: the error is
// delivered in the timers phase, right after 'timeout' (destroy's nextTick), 'close' in the
// close phase. E: each read refreshes the timer.
'use strict';
const http = require('http');
const { spawn } = require('child_process');

function block(ms) { const end = performance.now() + ms; while (performance.now() < end); }

if (process.argv[2] !== 'client') {
  const server = http.createServer((req, res) => {
    let m = /^\/delay\/(\d+)$/.exec(req.url);
    if (m) { setTimeout(() => res.end('OK'), +m[1]); return; }
    m = /^\/split\/(\d+)\/(\d+)$/.exec(req.url);
    if (m) {
      setTimeout(() => { res.writeHead(200, { 'Content-Length': '4' }); res.write('OK'); }, +m[1]);
      setTimeout(() => res.end('OK'), +m[1] + +m[2]);
    }
  });
  server.listen(0, '127.0.0.1', () => {
    const parts = process.argv[2] ? [process.argv[2]] : ['A', 'B', 'C', 'D', 'E'];
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
const part = process.argv[4];
const log = (s) => console.log(`part${part}: ${s}`);
// get is http.get with Node's own timeout option, destroyed on 'timeout' as users do.
const get = (p, timeout) => {
  const req = http.get({ host: '127.0.0.1', port, path: p, agent: false, timeout }, (res) => {
    res.resume();
    res.on('end', () => log('response'));
  });
  req.on('timeout', () => { log('timeout'); req.destroy(new Error('timed out')); });
  req.on('error', (e) => log(`error ${e.message}`));
  return req;
};

({
  A() { // the socket timer goes to the back of its list when the connect refreshes it
    setTimeout(() => log('timer A (100, before the request)'), 100);
    get('/delay/300', 100);
    setTimeout(() => log('timer B (100, after the request)'), 100);
  },
  B() { // a 150 ms block after the request, timeout 100: due before the first poll
    get('/delay/50', 100).on('socket', (s) => s.on('connect', () => log('connect')));
    block(150);
  },
  C() { // a 150 ms block after the request, timeout 200, delay 100: counted from the connect
    get('/delay/100', 200).on('socket', (s) => s.on('connect', () => log('connect')));
    block(150);
  },
  D() { // what runs when: the timeout, its nextTick, the error, close, an immediate
    const req = get('/delay/300', 50);
    req.on('timeout', () => {
      process.nextTick(() => log('nextTick queued in timeout'));
      setImmediate(() => log('immediate queued in timeout'));
    });
    req.on('close', () => log('req close'));
    setTimeout(() => log('timer 60'), 60);
  },
  E() { // each read refreshes: head and half the body at 60, the rest 60 later; timeout 100
    get('/split/60/60', 100);
  },
})[part]();
