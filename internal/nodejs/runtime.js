// The runtime of a looptest program: the functions that a scenario's steps call. looptest writes
// this file whole into every program it makes, after the header, and the scenario's own part
// after it: the ids of its timers and immediates, then start(config, main).
//
// Each step is its Node.js analogue: setTimeout, setInterval, setImmediate, process.nextTick,
// queueMicrotask, console.log, and the functions below for block, read, encrypt and http.

const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const util = require('node:util');
const timersPromises = require('node:timers/promises');

// The environment variables that name the delay server (HOST:PORT) and an address where nothing
// listens, for fault: refuse. 'looptest serve' prints both.
const DELAY_ADDR_VAR = 'LOOPTEST_DELAY_ADDR';
const REFUSE_ADDR_VAR = 'LOOPTEST_REFUSE_ADDR';
// If set, the file where the program writes when each line of its ordering was printed, in
// milliseconds since main started, one a line: looptest judges a run's ordering by them.
const TIMES_VAR = 'LOOPTEST_TIMES';

// The program runs unchanged in Node.js, Bun and Deno. Where the runtime is not Node.js, its
// threadpool does not follow UV_THREADPOOL_SIZE (Bun makes 1 into 2 and takes the newest task
// first; Deno runs every task at once), so the program keeps its own first-in first-out queue
// of pool work on as many slots as the scenario's threadpool.
const isNode = typeof Bun === 'undefined' && typeof Deno === 'undefined';
let slots = Infinity; // free slots of the program's own pool, where the runtime's is not Node's
const waiting = []; // pool work waiting for a slot, first in first out

let iterationsPerMs; // the pool's speed, measured by start
let delayAddr; // { host, port } of the delay server
let refuseAddr; // { host, port } where nothing listens

// start sets the program up as config says, then runs main as the program's first callback:
//   threadpool  the pool's size, set before the pool's first use (as UV_THREADPOOL_SIZE)
//   files       [path, content] pairs, written into a fresh sandbox directory, which is the
//               working directory of the run and is removed at exit
//   sandbox     whether there is a sandbox (there are files, or the steps read)
//   pool        whether steps use the pool: its speed is measured first
//   http        whether steps call the delay server; refuse: whether one calls where nothing listens
//   timers      whether main arms timers: it then starts right after the loop's clock ticks
function start(config, main) {
  if (config.pool) process.env.UV_THREADPOOL_SIZE = String(config.threadpool);
  if (config.pool && !isNode) slots = config.threadpool;
  if (config.sandbox) makeSandbox(config.files);
  if (config.pool) iterationsPerMs = (isNode && poolSpeed()) || calibrate();
  if (config.http) delayAddr = hostPort(DELAY_ADDR_VAR);
  if (config.refuse) refuseAddr = hostPort(REFUSE_ADDR_VAR);
  if (config.timers && isNode) startOfMillisecond();
  if (process.env[TIMES_VAR]) recordTimes(process.env[TIMES_VAR]);
  if (config.timers && isNode) firstLogSetsUpStdout();
  try {
    main();
  } finally {
    mainReturned = true; // also when main throws: Node.js runs its listener after main, as looptest does its queues
  }
}

// STDOUT_SETUP_MS is how long looptest's virtual clock lets the first log of a run take, as
// Node.js's first console.log sets process.stdout up (harness.StdoutSetup; rule 17).
const STDOUT_SETUP_MS = 6;

// MAIN_END_MS is how long it lets the first line printed after main returns take, as Node.js
// finishes running main first (harness.MainEnd; rule 19).
const MAIN_END_MS = 1;

let mainReturned = false; // main's function has returned: see firstLogSetsUpStdout

// firstLogSetsUpStdout makes the first console.log, and the first one after main returns and
// before the loop begins, take what they take under the virtual clock. startOfMillisecond has
// set stdout up already, so that main starts right after the loop's clock ticks; Node.js would
// spend 4 to 8 ms there instead, ending anywhere in a millisecond, and two timers armed one
// after the other after it would then start a millisecond apart now and then, which the
// virtual clock never does. So the first call waits until the loop's clock has moved
// STDOUT_SETUP_MS whole milliseconds, which ends right after it ticks, as the virtual clock's
// set-up ends on a whole millisecond; the first after main, unless it is the first of all,
// waits until it has moved MAIN_END_MS more, on top of what Node.js spends there itself.
function firstLogSetsUpStdout() {
  const log = console.log;
  let first = true;
  console.log = (...args) => {
    // performance.nodeTiming.loopStart is -1 until the loop begins.
    const afterMain = mainReturned && performance.nodeTiming.loopStart < 0;
    const wait = first ? STDOUT_SETUP_MS : afterMain ? MAIN_END_MS : 0;
    if (afterMain || !first && performance.nodeTiming.loopStart >= 0) console.log = log;
    first = false;
    if (wait > 0) {
      const begin = loopNow();
      if (typeof begin === 'number') while (loopNow() < begin + wait);
    }
    log(...args);
  };
}

// loopNow is the loop's clock, in whole milliseconds, read afresh (getLibuvNow): the start of a
// timer made now.
function loopNow() {
  const probe = setTimeout(() => {}, 2 ** 31 - 1);
  clearTimeout(probe);
  return probe._idleStart;
}

// recordTimes makes console.log write, for each line it prints, the milliseconds since now to
// the file at path.
function recordTimes(path) {
  const fd = fs.openSync(path, 'w');
  const log = console.log;
  const begin = performance.now();
  console.log = (...args) => {
    const at = (performance.now() - begin).toFixed(3);
    const lines = util.format(...args).split('\n').length;
    fs.writeSync(fd, `${at}\n`.repeat(lines));
    log(...args);
  };
}

function makeSandbox(files) {
  const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'looptest-'));
  process.on('exit', () => {
    process.chdir(os.tmpdir());
    fs.rmSync(sandbox, { recursive: true, force: true });
  });
  for (const [name, content] of files) {
    const file = path.join(sandbox, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  process.chdir(sandbox);
}

// block holds the loop thread for ms milliseconds, as a busy loop.
function block(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

// The threadpool: crypto.pbkdf2 runs on it, so a task holds a worker for its cost by running
// pbkdf2 for as many iterations as take that long on this machine, measured before main.
// Interference only ever slows a measurement down, so the fastest of nine is the machine's
// speed, and a task holds its worker for at least about its cost.
function calibrate() {
  const n = pbkdf2Iterations(2);
  let best = Infinity;
  for (let k = 0; k < 9; k++) best = Math.min(best, pbkdf2Time(n));
  return n / best;
}

// pbkdf2Time is how long n iterations of pbkdf2 take on this thread, in milliseconds.
function pbkdf2Time(n) {
  const begin = performance.now();
  crypto.pbkdf2Sync('looptest', 'salt', n, 32, 'sha256');
  return performance.now() - begin;
}

// pbkdf2Iterations is a power of two of iterations that take at least ms on this thread.
function pbkdf2Iterations(ms) {
  let n = 256;
  while (pbkdf2Time(n) < ms) n *= 2;
  return n;
}

// POOL_SPEED is the program poolSpeed runs in a child process: on its own pool, rounds of one
// pbkdf2 task, which a core runs alone, and of as many at once as there are cores (at most 4),
// which puts one on every core, in turn; it prints the fastest task's speed.
const POOL_SPEED = `
const crypto = require('node:crypto');
const { performance } = require('node:perf_hooks');
${pbkdf2Time}
${pbkdf2Iterations}
const n = pbkdf2Iterations(4);
const cores = Math.min(require('node:os').availableParallelism(), 4);
const widths = [1, cores, 1, cores, 1, cores];
let best = Infinity;
function round(i) {
  let left = widths[i];
  for (let k = 0; k < widths[i]; k++) {
    const begin = performance.now();
    crypto.pbkdf2('looptest', 'salt', n, 32, 'sha256', () => {
      best = Math.min(best, performance.now() - begin);
      if (--left > 0) return;
      if (i + 1 < widths.length) round(i + 1);
      else process.stdout.write(String(n / best));
    });
  }
}
round(0);
`;

// poolSpeed measures the pool's speed on the machine's fastest core, or returns undefined if
// it cannot. The cores of one machine can differ, and a thread stays on its core: on a virtual
// machine here one core ran pbkdf2 1.6 times slower than the other, so that a speed measured on
// the loop thread's core made a pool task on the other run a 100 ms cost in 67 ms. A child
// process (spawnSync: nothing of it enters this loop) runs tasks on every core at once, and the
// fastest gives the speed: a task holds its worker for at least about its cost wherever it
// runs, and longer on a slower core, which the check reads as load.
function poolSpeed() {
  const r = spawnSync(process.execPath, ['-e', POOL_SPEED], {
    encoding: 'utf8',
    env: { ...process.env, UV_THREADPOOL_SIZE: '4' },
    timeout: 10000,
  });
  const speed = Number(r.stdout);
  return r.status === 0 && Number.isFinite(speed) && speed > 0 ? speed : undefined;
}

// poolTask holds a pool worker for about ms milliseconds, then calls done, in the poll phase.
function poolTask(ms, done) {
  const iterations = Math.max(1, Math.round(ms * iterationsPerMs));
  onPool((free) => {
    crypto.pbkdf2('looptest', 'salt', iterations, 32, 'sha256', (err) => {
      if (err) throw err;
      free();
      done();
    });
  });
}

// onPool runs work, which calls free when it is done with the pool: at once in Node.js, whose
// pool queues its own work; elsewhere when one of the program's slots is free.
function onPool(work) {
  if (isNode) {
    work(() => {});
    return;
  }
  waiting.push(work);
  runWaiting();
}

function runWaiting() {
  while (slots > 0 && waiting.length > 0) {
    slots--;
    waiting.shift()(() => {
      slots++;
      runWaiting();
    });
  }
}

// read is fs.readFile, whose open, fstat, read and close are four pool requests, after a pool
// task that holds a worker for costMs (none for 0). then gets the text; onError gets the message
// of Node's error. A path that would leave the sandbox fails as looptest fails it, after one
// pool request standing for the open.
function read(file, costMs, then, onError) {
  const readFile = () => {
    const problem = checkPath(file);
    if (problem) {
      fs.stat('.', () => onError(`${problem}, open '${file}'`));
      return;
    }
    onPool((free) => {
      fs.readFile(file, 'utf8', (err, text) => {
        free();
        if (err) onError(errorMessage(err, file));
        else then(text);
      });
    });
  };
  if (costMs > 0) poolTask(costMs, readFile);
  else readFile();
}

// errorMessage words a read's error as Node.js does, from its code, so that every runtime says
// it alike: "ENOENT: no such file or directory, open 'x'".
function errorMessage(err, file) {
  const words = {
    ENOENT: ['no such file or directory', 'open'],
    ENOTDIR: ['not a directory', 'open'],
    EISDIR: ['illegal operation on a directory', 'read'],
    EACCES: ['permission denied', 'open'],
  }[err.code];
  if (!words) return err.message;
  return words[1] === 'read' ? `${err.code}: ${words[0]}, read` : `${err.code}: ${words[0]}, ${words[1]} '${file}'`;
}

// checkPath says what is wrong with a path that must stay inside the sandbox, or '', in
// looptest's words.
function checkPath(p) {
  if (p === '') return 'the path is empty';
  if (p.startsWith('/')) return 'the path must be relative to the sandbox';
  if (p.includes('\\') || p.includes('\0')) return 'the path must use / and no NUL';
  if (p === '.' || p.endsWith('/') || path.posix.normalize(p) !== p) {
    return 'the path must be clean (no ./, //, or trailing /)';
  }
  if (p === '..' || p.startsWith('../')) return 'the path must stay inside the sandbox (no ..)';
  return '';
}

// encrypt is a CPU job on the pool: the task holds a worker for costMs, then then gets
// fibonacci(n), exact (fib(92) is beyond 2^53, so a BigInt). n is a number, or the text of a
// ${...}, read as looptest reads it.
function encrypt(n, costMs, then, onError) {
  poolTask(costMs, () => {
    const k = typeof n === 'number' ? n : parseEncrypt(n);
    if (k === undefined) {
      onError(`encrypt ${goQuote(n)}: expected an integer from 0 to 92`);
      return;
    }
    then(fibonacci(k));
  });
}

function fibonacci(n) {
  let a = 0n;
  let b = 1n;
  for (let k = 0; k < n; k++) [a, b] = [b, a + b];
  return a;
}

// parseEncrypt reads the text of an encrypt's ${...} as looptest does (strconv.Atoi): an
// integer from 0 to 92, or undefined.
function parseEncrypt(text) {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 0 && n <= 92 ? n : undefined;
}

// goQuote quotes s as Go's %q does, for looptest's messages; with ascii, as
// strconv.QuoteToASCII does, for a header.
function goQuote(s, ascii) {
  let q = '"';
  for (const c of s) {
    const code = c.codePointAt(0);
    const esc = { '"': '\\"', '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' }[c];
    if (esc) q += esc;
    else if (c === ' ' || (ascii ? code < 0x7f && code > 0x20 : /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(c))) q += c;
    else if (code < 0x80) q += '\\x' + code.toString(16).padStart(2, '0');
    else if (code < 0x10000) q += '\\u' + code.toString(16).padStart(4, '0');
    else q += '\\U' + code.toString(16).padStart(8, '0');
  }
  return q + '"';
}

// hostPort reads HOST:PORT from the environment variable name, or ends the program saying
// where to get one.
function hostPort(name) {
  const addr = process.env[name] || '';
  const colon = addr.lastIndexOf(':');
  if (colon <= 0 || colon === addr.length - 1) {
    process.stderr.write(`this program calls a delay server: set ${name} to HOST:PORT (looptest serve prints it)\n`);
    process.exit(2);
  }
  return { host: addr.slice(0, colon), port: addr.slice(colon + 1) };
}

// get is http.get to the delay server, whose headers ask for the reply. then gets {status,
// body} once the whole response has come, in the poll phase; onError gets the failure in Node's
// words (a refused connection without its address and port). Right after either, the client
// closes the connection, so closed runs in the close phase of that iteration. A response cut
// short is found out only when the connection closes: closed runs, then the response's 'error'
// (aborted) runs the error steps. A timeout, [ms, text], is http.get's own timeout option, the
// socket's idle timeout: on 'timeout' the request is destroyed with looptest's message, as users
// do.
function get(request, then, onError, closed) {
  let settled = false;
  const settle = (callback) => {
    if (settled) return;
    settled = true;
    callback();
    req.destroy();
  };
  const failWith = (err) => settle(() => onError(err.code === 'ECONNREFUSED' ? 'connect ECONNREFUSED' : err.message));
  const addr = request.refuse ? refuseAddr : delayAddr;
  const options = { ...addr, path: escapePath(request.path), headers: request.headers, agent: false };
  if (request.timeout) options.timeout = request.timeout[0];
  const req = http.get(options, (res) => {
    const chunks = [];
    res.on('data', (chunk) => chunks.push(chunk));
    res.on('end', () => settle(() => then({ status: res.statusCode, body: Buffer.concat(chunks).toString() })));
    res.on('error', failWith);
  });
  req.on('error', failWith);
  if (closed) req.on('close', closed);
  if (request.timeout) {
    req.on('timeout', () => req.destroy(new Error(`timeout: no response within ${request.timeout[1]}`)));
  }
}

// escapePath percent-encodes what Node.js refuses in a request path; the delay server answers
// any path alike.
function escapePath(p) {
  return p.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}

// fail returns the error callback of a step without error steps: the run stops there, as
// looptest's does, with the step's place on stderr and status 1. Nothing prints after it.
let failed = false; // the run has failed: the first failure is the run's

function fail(where, kind) {
  return (message) => {
    if (failed) return;
    failed = true;
    console.log = () => {};
    process.exitCode = 1;
    process.stderr.write(`${where}: ${kind} failed: ${message}\n`, () => {
      process.stdout.write('', () => process.exit());
    });
  };
}

// param reads the text of a ${...} in a step's key when the step runs, as looptest reads it;
// at is [place, kind, key] (and 'cut' for a body that fault close-mid-body cuts). It returns a
// cost or a timer's delay in milliseconds; an http timeout as [milliseconds, text]; a delay, a status or a body as the
// delay server's header has it. A text that is not one fails the run at the step, as looptest
// does, and the step goes on silenced, with no timeout and the default reply.
function param(text, [where, kind, key, cut]) {
  const bad = (problem, value) => {
    fail(where, kind)(`${key} ${goQuote(text)}: ${problem}`);
    return value;
  };
  if (key === 'status') {
    const n = /^[+-]?[0-9]+$/.test(text) ? Number(text) : NaN;
    return n >= 100 && n <= 599 ? String(n) : bad('expected an integer from 100 to 599', '200');
  }
  if (key === 'body') {
    const size = Buffer.byteLength(text);
    if (size > 65536) {
      fail(where, kind)(`body: must be at most 65536 bytes; got ${size}`);
      return '"OK"';
    }
    if (cut && text === '') return bad('fault close-mid-body sends half the body, so it must not be empty', '"OK"');
    return goQuote(text, true);
  }
  const ns = durationNs(text);
  const socketTimeout = kind === 'http' && key === 'timeout';
  if (typeof ns === 'string') return bad(ns, socketTimeout ? undefined : key === 'delay' ? '0s' : 0);
  if (socketTimeout) return ns === 0 ? bad('must be more than 0', undefined) : [ns / 1e6, goDuration(ns)];
  if (key === 'delay') return goDuration(ns).replace('µs', 'us');
  return ns / 1e6; // a cost, or a timer's delay
}

// durationNs reads a duration as looptest does: an integer number of milliseconds, or Go's
// syntax (time.ParseDuration: 500ms, 1.5s, 1h2m); not negative, at most 24h. It returns
// nanoseconds, or what is wrong with the text.
function durationNs(text) {
  const syntax = "expected a duration: an integer number of milliseconds, or Go's syntax such as 500ms or 1.5s";
  const max = 24n * 3600n * 10n ** 9n;
  let ns;
  if (/^[+-]?[0-9]+$/.test(text)) {
    ns = BigInt(text) * 10n ** 6n;
  } else {
    ns = parseGoDuration(text);
    if (ns === undefined) return syntax;
  }
  if (ns < 0n) return 'must not be negative';
  if (ns > max) return 'must be at most 24h';
  return Number(ns);
}

// parseGoDuration is Go's time.ParseDuration, in BigInt nanoseconds; undefined for what it
// refuses (a value beyond its int64 included).
function parseGoDuration(text) {
  const units = { ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 10n ** 6n, s: 10n ** 9n, m: 60n * 10n ** 9n, h: 3600n * 10n ** 9n };
  let s = text;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  const limit = 1n << 63n;
  let d = 0n;
  while (s !== '') {
    const [all, whole, frac, unit] = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]*)/.exec(s);
    if (whole === '' && !frac) return undefined; // no digits, or not [0-9.]
    if (!Object.hasOwn(units, unit)) return undefined;
    let v = BigInt(whole || '0');
    if (v > limit || v > limit / units[unit]) return undefined;
    v *= units[unit];
    if (frac) {
      // Go keeps the digits that fit in an int64 and scales them in floating point.
      let f = 0n;
      let scale = 1;
      for (const c of frac) {
        const y = f * 10n + BigInt(c);
        if (f > (limit - 1n) / 10n || y > limit) break;
        f = y;
        scale *= 10;
      }
      v += BigInt(Math.trunc(Number(f) * (Number(units[unit]) / scale)));
      if (v > limit) return undefined;
    }
    d += v;
    if (d > limit) return undefined;
    s = s.slice(all.length);
  }
  if (!neg && d === limit) return undefined;
  return neg ? -d : d;
}

// goDuration writes nanoseconds, not negative, as Go's time.Duration.String does: 1.5ms, 2m30s.
function goDuration(ns) {
  if (ns === 0) return '0s';
  const frac = (v, prec) => {
    const digits = String(v % 10 ** prec).padStart(prec, '0').replace(/0+$/, '');
    return [Math.floor(v / 10 ** prec), digits ? '.' + digits : ''];
  };
  if (ns < 1e9) {
    const [unit, prec] = ns < 1e3 ? ['ns', 0] : ns < 1e6 ? ['µs', 3] : ['ms', 6];
    const [whole, f] = frac(ns, prec);
    return whole + f + unit;
  }
  const [secs, f] = frac(ns, 9);
  let out = (secs % 60) + f + 's';
  const mins = Math.floor(secs / 60);
  if (mins > 0) {
    out = (mins % 60) + 'm' + out;
    if (mins >= 60) out = Math.floor(mins / 60) + 'h' + out;
  }
  return out;
}

// chomp drops one trailing newline, as looptest does from a log text.
function chomp(s) {
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}

// Node.js counts time in whole milliseconds of the loop's clock: a timer's deadline is the loop
// time when it is created, plus its delay. Two timers that main creates one after the other with
// one delay share a deadline only if created in the same millisecond, while looptest's main runs
// at one instant. So main starts right after that clock ticks (a timer's _idleStart is the loop
// time at its creation), and console.log is warmed up first: its first call takes most of a
// millisecond.
function startOfMillisecond() {
  process.stdout.write('');
  const write = process.stdout.write;
  process.stdout.write = () => true;
  console.log('');
  process.stdout.write = write;
  const begin = loopNow();
  if (typeof begin !== 'number') return;
  while (loopNow() === begin);
}

// readFileP is fs.promises.readFile(file, 'utf8'), after a pool task that holds a worker for
// costMs (none for 0): the promise form of read.
function readFileP(file, costMs) {
  if (costMs > 0) {
    return new Promise((resolve) => poolTask(costMs, resolve)).then(() => fs.promises.readFile(file, 'utf8'));
  }
  return fs.promises.readFile(file, 'utf8');
}

// messageOf is ${error} of a rejection's reason or a thrown value: an Error's message.
function messageOf(e) {
  return e instanceof Error ? e.message : String(e);
}

// byteLength is ${value.len}: a string's length in bytes, as looptest counts; undefined for
// any other value.
function byteLength(v) {
  return typeof v === 'string' ? Buffer.byteLength(v) : undefined;
}
