// Probe: refused (SPEC §2 rule 11).
// A connection to a port where nothing listens is refused in the first poll after the
// connect: lib/net.js Socket.connect -> lookupAndConnect: for an IP literal,
// process.nextTick(connect...) -> internalConnect: connect(2) on a non-blocking socket says
// EINPROGRESS, libuv watches the socket for POLLOUT (uv__tcp_connect), and epoll reports the
// refusal in the next uv__io_poll, where uv__stream_connect calls afterConnect with
// ECONNREFUSED -> 'error' on the request (emitted from the socket's destroy, in a nextTick of
// that poll callback).
//
// The parent process finds a free port on 127.0.0.1 (listens, closes) and runs this file as
// a child whose main program does, in order: log main; http.get to that port, whose 'error'
// listener logs, queues a nextTick and an immediate; setImmediate(immediate 1, which queues
// immediate 2, which queues immediate 3); process.nextTick.
//
// Node v20.20.2 printed, 10 of 10 runs:
//   main
//   nextTick
//   error ECONNREFUSED
//   error: nextTick
//   immediate 1
//   immediate queued in error
//   immediate 2
//   immediate 3
// Reading: the 'error' runs in the poll of the first iteration, before the check phase that
// runs immediate 1 (queued in main); the immediate it queues runs in that same check phase.
'use strict';
const http = require('http');
const net = require('net');
const { spawn } = require('child_process');

if (process.argv[2] !== 'client') {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1', () => {
    const port = srv.address().port;
    srv.close(() => {
      spawn(process.execPath, [__filename, 'client', String(port)], { stdio: 'inherit' })
        .on('exit', (code) => { if (code) process.exitCode = code; });
    });
  });
  return;
}

const port = +process.argv[3];
const log = (s) => console.log(s);
log('main');
http.get({ host: '127.0.0.1', port, path: '/', agent: false }, () => log('response')).on('error', (e) => {
  log('error ' + e.code);
  process.nextTick(() => log('error: nextTick'));
  setImmediate(() => log('immediate queued in error'));
});
setImmediate(() => {
  log('immediate 1');
  setImmediate(() => { log('immediate 2'); setImmediate(() => log('immediate 3')); });
});
process.nextTick(() => log('nextTick'));
