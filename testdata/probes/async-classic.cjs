// Probe: async-classic (SPEC §2 rules 13 and 14, the async1/async2 puzzle).
// async1 awaits async2(): async2's body runs synchronously; async2() returns a native
// promise already fulfilled (or, in the variants, resolved with a native promise: +2 ticks;
// a plain function returning a thenable: await wraps it, +1 tick, its then called in tick 1).
//
// Part 1, in main: the classic program (script start; setTimeout 0; async1(); new Promise
// whose executor logs promise1, resolves, logs promise2; .then promise3 .. promise6; script
// end). Part 2: the same with `async function async2() { log; return Promise.resolve() }`
// (lines prefixed "[returns promise] "). Part 3: async2 a plain function returning
// `{ then(r) { log; r() } }` (prefix "[thenable] "). Part 4: an async loop of 3 iterations
// around `await i`, against a chain chain 1..4 started after it. Part 5: nested: a() awaits
// b(), which awaits c(), which awaits null; against a chain 1..5. Parts 2-5 run in
// setTimeouts of 20, 40, 60, 80 ms armed in main; each logs `--` first.
//
// Reading it: async1 end runs in tick 1 (before promise3); with async2 returning a native
// promise, in tick 3 (after promise4); with a thenable, in tick 2 (after promise3). In the
// loop each await resumes one tick after the previous. Nested: c end tick 1, b end tick 2
// (c()'s promise fulfilled when c's body returns, b's await resumes one tick later), a end
// tick 3, a().then tick 4.
//
// Node v20.20.2 printed, 10 of 10 runs:
//   script start
//   async1 start
//   async2
//   promise1
//   promise2
//   script end
//   async1 end
//   promise3
//   promise4
//   promise5
//   promise6
//   setTimeout
//   --
//   [returns promise] script start
//   [returns promise] async1 start
//   [returns promise] async2
//   [returns promise] promise1
//   [returns promise] promise2
//   [returns promise] script end
//   [returns promise] promise3
//   [returns promise] promise4
//   [returns promise] async1 end
//   [returns promise] promise5
//   [returns promise] promise6
//   [returns promise] setTimeout
//   --
//   [thenable] script start
//   [thenable] async1 start
//   [thenable] async2
//   [thenable] promise1
//   [thenable] promise2
//   [thenable] script end
//   [thenable] async2 thenable.then called
//   [thenable] promise3
//   [thenable] async1 end
//   [thenable] promise4
//   [thenable] promise5
//   [thenable] promise6
//   [thenable] setTimeout
//   --
//   loop before await 1
//   loop main end
//   loop after await 1
//   loop before await 2
//   chain 1
//   loop after await 2
//   loop before await 3
//   chain 2
//   loop after await 3
//   loop done
//   chain 3
//   chain 4
//   --
//   a start
//   b start
//   c start
//   nested main end
//   c end
//   chain 1
//   b end (c)
//   chain 2
//   a end (b)
//   chain 3
//   a().then
//   chain 4
//   chain 5
'use strict';
const log = (s) => console.log(s);

// Part 1 (classic), part 2 (async2 returns a native promise), part 3 (async2 is a plain
// function returning a thenable): each part runs in its own setTimeout (parts are 20 ms
// apart), so "setTimeout" below is the part's own timer of delay 0.
function classic(label, async2) {
  async function async1() {
    log(`${label}async1 start`);
    await async2();
    log(`${label}async1 end`);
  }
  log(`${label}script start`);
  setTimeout(() => log(`${label}setTimeout`), 0);
  async1();
  new Promise((resolve) => {
    log(`${label}promise1`);
    resolve();
    log(`${label}promise2`);
  }).then(() => log(`${label}promise3`))
    .then(() => log(`${label}promise4`))
    .then(() => log(`${label}promise5`))
    .then(() => log(`${label}promise6`));
  log(`${label}script end`);
}

const parts = [
  () => classic('', async function async2() { log('async2'); }),
  () => classic('[returns promise] ', async function async2() { log('[returns promise] async2'); return Promise.resolve(); }),
  () => classic('[thenable] ', function async2() {
    log('[thenable] async2');
    return { then(r) { log('[thenable] async2 thenable.then called'); r(); } };
  }),
  () => {
    // await in a for loop, 3 iterations, against a chain of .then steps started after it.
    (async function loop() {
      for (let i = 1; i <= 3; i++) {
        log(`loop before await ${i}`);
        await i;
        log(`loop after await ${i}`);
      }
      log('loop done');
    })();
    Promise.resolve().then(() => log('chain 1')).then(() => log('chain 2'))
      .then(() => log('chain 3')).then(() => log('chain 4'));
    log('loop main end');
  },
  () => {
    // Nested: a awaits b(), b awaits c(), c awaits a plain value; a chain runs beside.
    async function c() { log('c start'); await null; log('c end'); return 'c'; }
    async function b() { log('b start'); const v = await c(); log(`b end (${v})`); return 'b'; }
    async function a() { log('a start'); const v = await b(); log(`a end (${v})`); }
    a().then(() => log('a().then'));
    Promise.resolve().then(() => log('chain 1')).then(() => log('chain 2'))
      .then(() => log('chain 3')).then(() => log('chain 4')).then(() => log('chain 5'));
    log('nested main end');
  },
];

parts[0]();
let t = 20;
for (let i = 1; i < parts.length; i++, t += 20) setTimeout(() => { log('--'); parts[i](); }, t);
