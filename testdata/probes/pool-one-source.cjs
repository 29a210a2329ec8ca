// Probe: pool-one-source (SPEC §2 rule 5).
// libuv's threadpool reports completions through one uv_async_t (loop->wq_async;
// src/threadpool.c worker() puts the finished request on loop->wq and calls uv_async_send),
// whose fd is the loop's one async eventfd (src/unix/async.c; uv_async_send writes only if
// the handle is not already pending). When uv__io_poll (src/unix/linux.c) hands that fd to
// uv__async_io, the wq_async callback uv__work_done runs the callbacks of every request on
// loop->wq: every task completed by then, in completion order. uv__io_poll handles the fds
// in the order epoll_wait returns them: the kernel's ready list, FIFO by when an fd was put
// on it -- but a level-triggered fd that epoll_wait reported stays on the list afterwards.
//
// Pool tasks with exact completion times: the client fs.open()s a FIFO for reading, which
// blocks a pool worker until the parent opens the FIFO for writing. The parent process is
// also the HTTP server (http.createServer on 127.0.0.1, port 0) and runs each part's plan
// as one chain of actions 100 ms apart, starting when the request arrives: "P1" (open
// FIFO 1: the client's first pool task completes), "response" (answer the request),
// "P2", and last "ready" (create a marker file). So the order in which the pool tasks and
// the socket become ready is the plan's order, however loaded the machine. Each part is
// the main program of its own child process (UV_THREADPOOL_SIZE=2). The client submits
// the FIFO opens 20 ms after its socket connects (part D: in the 'connect' callback
// itself), then busy-waits in a setImmediate until the marker exists, so the whole plan
// has happened before the loop next polls. It logs each callback.
//   A: response, P1          B: P1, response
//   C: P1, response, P2  (one source: P1, P2, response; per-task sources: P1, response, P2)
//   D: P1, response, with the opens submitted in the connect callback.
//   E: response, P1, as A but the client waits with a busy loop that allocates.
//   (A-D wait with Atomics.wait, which does not allocate.)
//
// Node v20.20.2 printed, 10 of 10 runs:
//   partA: response
//   partA: P1 done
//   partB: P1 done
//   partB: response
//   partC: P1 done
//   partC: P2 done
//   partC: response
//   partD: response
//   partD: P1 done
//   partE: P1 done
//   partE: response
// Reading: C shows the pool is one source: P2, completed 100 ms after the response had
// arrived, is delivered together with P1, before the response. A/B show readiness order
// between the pool and a socket -- but only when nothing else touched the async eventfd:
// D: a socket that was reported writable at its connect stays on epoll's ready list
// (level-triggered), so in the first poll after it the socket comes before the pool even
// though the pool completed first. E (A with a busy loop that allocates): V8 posts a
// minor-GC task (MinorGCJob::ScheduleTaskIfNeeded -> PerIsolatePlatformData::
// PostNonNestableTask -> uv_async_send, seen with `strace -k`), which makes the shared
// async eventfd ready before the response arrives, so the pool task is delivered first.
'use strict';
const http = require('http');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, execFileSync } = require('child_process');

const plans = {
  A: { wait: 20, plan: ['response', 'P1'] },
  B: { wait: 20, plan: ['P1', 'response'] },
  C: { wait: 20, plan: ['P1', 'response', 'P2'] },
  D: { wait: 0, plan: ['P1', 'response'] },
  E: { wait: 20, plan: ['response', 'P1'], allocate: true },
};

if (process.argv[2] !== 'client') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-pool-'));
  const server = http.createServer((req, res) => {
    const part = req.url.slice(1);
    const steps = plans[part].plan.concat('ready');
    const act = () => {
      const step = steps.shift();
      if (step === 'response') res.end('OK');
      else if (step === 'ready') { fs.writeFileSync(path.join(dir, part + '.ready'), ''); return; }
      else {
        let fd;
        try {
          fd = fs.openSync(path.join(dir, part + '.' + step),
            fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
        } catch (e) {
          if (e.code !== 'ENXIO') throw e;
          steps.unshift(step);           // no reader yet: try again shortly
          setTimeout(act, 5);
          return;
        }
        fs.closeSync(fd);
      }
      setTimeout(act, 100);
    };
    setTimeout(act, 100);
  });
  server.listen(0, '127.0.0.1', () => {
    const parts = Object.keys(plans);
    const runPart = () => {
      const part = parts.shift();
      if (!part) {
        server.close(); server.closeAllConnections();
        fs.rmSync(dir, { recursive: true });
        return;
      }
      for (const p of ['P1', 'P2']) execFileSync('mkfifo', [path.join(dir, part + '.' + p)]);
      const child = spawn(process.execPath,
        [__filename, 'client', String(server.address().port), part, dir],
        { stdio: 'inherit', env: { ...process.env, UV_THREADPOOL_SIZE: '2' } });
      child.on('exit', (code) => { if (code) process.exitCode = code; runPart(); });
    };
    runPart();
  });
  return;
}

const [port, part, dir] = [+process.argv[3], process.argv[4], process.argv[5]];
const { wait, plan } = plans[part];

const req = http.get({ host: '127.0.0.1', port, path: '/' + part, agent: false }, (res) => {
  console.log(`part${part}: response`);
  res.resume();
});
const start = () => {
  for (const p of ['P1', 'P2']) {
    if (!plan.includes(p)) continue;
    fs.open(path.join(dir, part + '.' + p), 'r', (err, fd) => {
      console.log(`part${part}: ${p} done`);
      fs.closeSync(fd);
    });
  }
  const marker = path.join(dir, part + '.ready');
  setImmediate(() => {
    if (plans[part].allocate) {
      // A busy loop that allocates (a string per turn): V8 schedules a minor-GC task.
      let s = '';
      while (!fs.existsSync(marker)) s = String(performance.now());
    } else {
      // Sleep in 20 ms steps without allocating, checking for the marker in between.
      const ia = new Int32Array(new SharedArrayBuffer(4));
      while (!fs.existsSync(marker)) Atomics.wait(ia, 0, 0, 20);
    }
  });
};
req.on('socket', (s) => s.on('connect', () => {
  if (wait === 0) start(); else setTimeout(start, wait);
}));
