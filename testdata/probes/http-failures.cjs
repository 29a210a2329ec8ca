// Probe: http-failures (SPEC §2 rule 11: failures "when and as Node reports them").
// lib/_http_client.js: socketOnData runs llhttp (parser.execute) on each chunk; a parse
// error there -> `socket.destroy(); req.socket._hadError = true; req.emit('error', ret)`
// (ret from _http_common.js / node_http_parser.cc: message 'Parse Error: ' + llhttp's
// reason, code 'HPE_...'). socketOnEnd / socketCloseListener: a response whose body is
// incomplete when the socket ends or closes gets res 'aborted' and res.destroy(connResetException
// ('aborted')) -> res 'error' (Error 'aborted', code 'ECONNRESET'), then 'close' events.
// Close events come from the socket handle's close callback (lib/net.js Socket._destroy),
// i.e. the close-callbacks phase.
//
// The server is this program's parent process: a raw net.createServer on 127.0.0.1,
// port 0, that reads the request line and writes the answer for its path byte for byte.
// Each part is the main program of its own child process; the client does http.get
// (agent: false) and logs every event of req and res, with err.message and err.code. When
// its socket connects it sleeps 200 ms (Atomics.wait in a setImmediate), and the server
// answers 50 ms after the request arrives, so a whole answer (and a FIN sent with it) is
// waiting when the client next polls. 'response', the socket's 'end' (EOF read, in poll)
// and the first failure event each queue a setImmediate (and a nextTick) marker, to show
// which phase the later events run in: an event after an immediate queued in poll, and
// before the next iteration, is in the close-callbacks phase.
//   short:      200, Content-Length: 10, 5 body bytes, then the server ends the socket
//               (FIN right behind the data).
//   short-late: the same, but the FIN 100 ms after the data (client awake by then).
//   short-rst:  the same, but the server resets the socket (resetAndDestroy: RST).
//   204-close:  'HTTP/1.1 204 No Content', Connection: close, then a 5-byte body; FIN.
//   204-keep:   the same without Connection: close; the server keeps the socket open
//               for 300 ms.
//   304-close:  'HTTP/1.1 304 Not Modified', Connection: close, 5-byte body; FIN.
//   102-body:   'HTTP/1.1 102 Processing' then 5 bytes that are not a status line.
//   200-extra:  200, Content-Length: 2, Connection: close, body 'OK' + 5 extra bytes.
//
// Node v20.20.2 printed, 10 of 10 runs:
//   short: req response 200
//   short:   nextTick queued at response
//   short: res data "hello"
//   short:   immediate queued at response
//   short: socket end
//   short:   nextTick queued at socket end
//   short:   immediate queued at socket end
//   short: res aborted
//   short: req close
//   short: socket close
//   short:   nextTick queued at res aborted
//   short: res error "aborted" code=ECONNRESET
//   short: res close
//   short:   immediate queued at res aborted
//   short-late: req response 200
//   short-late:   nextTick queued at response
//   short-late: res data "hello"
//   short-late:   immediate queued at response
//   short-late: socket end
//   short-late:   nextTick queued at socket end
//   short-late:   immediate queued at socket end
//   short-late: res aborted
//   short-late: req close
//   short-late: socket close
//   short-late:   nextTick queued at res aborted
//   short-late: res error "aborted" code=ECONNRESET
//   short-late: res close
//   short-late:   immediate queued at res aborted
//   short-rst: req response 200
//   short-rst:   nextTick queued at response
//   short-rst: res data "hello"
//   short-rst: socket end
//   short-rst:   nextTick queued at socket end
//   short-rst:   immediate queued at response
//   short-rst:   immediate queued at socket end
//   short-rst: res aborted
//   short-rst: req close
//   short-rst: socket close
//   short-rst:   nextTick queued at res aborted
//   short-rst: res error "aborted" code=ECONNRESET
//   short-rst: res close
//   short-rst:   immediate queued at res aborted
//   204-close: req response 204
//   204-close: req error "Parse Error: Data after `Connection: close`" code=HPE_CLOSED_CONNECTION
//   204-close:   nextTick queued at response
//   204-close:   nextTick queued at req error
//   204-close: res end
//   204-close: res close
//   204-close:   immediate queued at response
//   204-close:   immediate queued at req error
//   204-close: req close
//   204-close: socket close
//   204-keep: req response 204
//   204-keep: req error "Parse Error: Expected HTTP/, RTSP/ or ICE/" code=HPE_INVALID_CONSTANT
//   204-keep:   nextTick queued at response
//   204-keep:   nextTick queued at req error
//   204-keep: res end
//   204-keep: res close
//   204-keep:   immediate queued at response
//   204-keep:   immediate queued at req error
//   204-keep: req close
//   204-keep: socket close
//   304-close: req response 304
//   304-close: req error "Parse Error: Data after `Connection: close`" code=HPE_CLOSED_CONNECTION
//   304-close:   nextTick queued at response
//   304-close:   nextTick queued at req error
//   304-close: res end
//   304-close: res close
//   304-close:   immediate queued at response
//   304-close:   immediate queued at req error
//   304-close: req close
//   304-close: socket close
//   102-body: req information 102
//   102-body: req error "Parse Error: Expected HTTP/, RTSP/ or ICE/" code=HPE_INVALID_CONSTANT
//   102-body:   nextTick queued at req error
//   102-body:   immediate queued at req error
//   102-body: req close
//   102-body: socket close
//   200-extra: req response 200
//   200-extra: req error "Parse Error: Data after `Connection: close`" code=HPE_CLOSED_CONNECTION
//   200-extra:   nextTick queued at response
//   200-extra: res data "OK"
//   200-extra:   nextTick queued at req error
//   200-extra: res end
//   200-extra: res close
//   200-extra:   immediate queued at response
//   200-extra:   immediate queued at req error
//   200-extra: req close
//   200-extra: socket close
// Reading: a body cut short (FIN or RST) gets no req 'error': res 'aborted', then req
// 'close' and the socket's 'close', all from the socket's close callback in the
// close-callbacks phase of the iteration whose poll read the end (after the immediate
// queued at the socket's 'end'); then, in the nextTicks of that close callback, res 'error'
// Error "aborted" code ECONNRESET and res 'close'. A 204/304 (or a 200 past its
// Content-Length) with Connection: close followed by body bytes: 'response' (res
// complete, no body) then, synchronously in the same poll callback, req 'error'
// "Parse Error: Data after `Connection: close`" code HPE_CLOSED_CONNECTION; res 'end' and
// res 'close' in nextTicks; req 'close' in the close phase. Without Connection: close the
// extra bytes are parsed as the next response: "Parse Error: Expected HTTP/, RTSP/ or
// ICE/" code HPE_INVALID_CONSTANT. A 102 followed by bytes: req 'information' 102 then
// the same HPE_INVALID_CONSTANT error, no 'response'.
'use strict';
const http = require('http');
const net = require('net');
const { spawn } = require('child_process');

const answers = {
  'short': { data: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello', then: 'end' },
  'short-late': { data: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello', then: 'end', after: 100 },
  'short-rst': { data: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello', then: 'reset' },
  '204-close': { data: 'HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\nhello', then: 'end' },
  '204-keep': { data: 'HTTP/1.1 204 No Content\r\n\r\nhello', then: 'end', after: 300 },
  '304-close': { data: 'HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\nhello', then: 'end' },
  '102-body': { data: 'HTTP/1.1 102 Processing\r\n\r\nhello', then: 'end', after: 300 },
  '200-extra': { data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOKhello', then: 'end' },
};

if (process.argv[2] !== 'client') {
  const server = net.createServer((sock) => {
    let buf = '';
    sock.on('error', () => {});
    sock.on('data', (d) => {
      buf += d;
      if (!buf.includes('\r\n\r\n')) return;
      const a = answers[buf.split(' ')[1].slice(1)];
      setTimeout(() => {
        sock.write(a.data);
        const fin = () => (a.then === 'reset' ? sock.resetAndDestroy() : sock.end());
        if (a.after) setTimeout(fin, a.after); else fin();
      }, 50);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const parts = Object.keys(answers);
    const runPart = () => {
      const part = parts.shift();
      if (!part) { server.close(); return; }
      const child = spawn(process.execPath,
        [__filename, 'client', String(server.address().port), part], { stdio: 'inherit' });
      child.on('exit', (code) => { if (code) process.exitCode = code; runPart(); });
    };
    runPart();
  });
  return;
}

const [port, part] = [+process.argv[3], process.argv[4]];
const log = (s) => console.log(`${part}: ${s}`);
const desc = (e) => (e ? ` ${JSON.stringify(e.message)} code=${e.code}` : '');
let marked = false;
const mark = (why) => {
  process.nextTick(() => log(`  nextTick queued at ${why}`));
  setImmediate(() => log(`  immediate queued at ${why}`));
};
const failure = (what) => { if (!marked) { marked = true; mark(what); } };

const req = http.get({ host: '127.0.0.1', port, path: '/' + part, agent: false }, (res) => {
  log(`req response ${res.statusCode}`);
  mark('response');
  res.on('data', (d) => log(`res data ${JSON.stringify(String(d))}`));
  res.on('end', () => log('res end'));
  res.on('aborted', () => { log('res aborted'); failure('res aborted'); });
  res.on('error', (e) => { log('res error' + desc(e)); failure('res error'); });
  res.on('close', () => log('res close'));
});
req.on('information', (info) => log(`req information ${info.statusCode}`));
req.on('error', (e) => { log('req error' + desc(e)); failure('req error'); });
req.on('close', () => log('req close'));
req.on('socket', (s) => {
  s.on('connect', () => setImmediate(() => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }));
  s.on('end', () => { log('socket end'); mark('socket end'); });
  s.on('close', () => log('socket close'));
});
