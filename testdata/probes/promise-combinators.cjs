// Probe: promise-combinators (SPEC §1 `all`, `allSettled`, `race`, `any`; §2 rule 14: "the
// combinators cost what their specification's steps cost").
// Each combinator calls `C.resolve(element)` (PromiseResolve: a native promise is itself, a
// value or a thenable is wrapped) and `.then(resolveElement, reject)` on it, so an element
// already settled has its reaction in tick 1; the element whose reaction completes the
// combinator resolves the result promise with a plain array (or value), so the
// combinator's `.then` runs one tick later. A thenable element costs one more tick
// (NewPromiseResolveThenableJob). An empty array settles the combinator synchronously
// (all / allSettled fulfil with [], any rejects with AggregateError); race([]) never settles.
//
// Each case starts in its own setImmediate after the previous case ended, with the ruler of
// promise-ticks.cjs (`Promise.resolve().then(t1).then(t2)...`, started just before the case;
// a line between tK and tK+1 ran in tick K; it stops after the first tK printed once the
// case is done). "timed N ms" is a promise settled by a setTimeout(N) whose callback logs
// `timer N settles ...`; the callback of the timer that decides the combinator starts the
// ruler just before it settles its promise. Errors are printed as `constructor.name
// "message"`. The last case shows what `${value}` interpolates to.
//
// Node v20.20.2 printed, 10 of 10 runs:
//   == all([1, Promise.resolve(2)])
//   t1
//   t2
//   all then: 1,2
//   t3
//   == all([Promise.resolve(1), thenable(2)])
//   t1
//   thenable.then called
//   t2
//   t3
//   all then: 1,2
//   t4
//   == all([])
//   t1
//   all([]) then: [] length 0
//   t2
//   == all([Promise.resolve(1), Promise.reject(no)])
//   t1
//   t2
//   all catch: Error "no"
//   t3
//   == all([timed 20 ms "slow", timed 10 ms "fast", 3])
//   timer 10 settles fulfilled fast
//   timer 20 settles fulfilled slow
//   t1
//   t2
//   all then: slow,fast,3
//   t3
//   == all([timed 20 ms "slow", timed 10 ms rejects "bad"])
//   timer 10 settles rejected bad
//   t1
//   t2
//   all catch: Error "bad"
//   t3
//   timer 20 settles fulfilled slow
//   == allSettled([1, Promise.reject(no), Promise.resolve(3)])
//   t1
//   t2
//   allSettled then: [object Object],[object Object],[object Object]
//   allSettled JSON: [{"status":"fulfilled","value":1},{"status":"rejected","reason":"no"},{"status":"fulfilled","value":3}]
//   t3
//   == allSettled([])
//   t1
//   allSettled([]) then: length 0
//   t2
//   == allSettled([timed 20 ms "slow", timed 10 ms rejects "bad"])
//   timer 10 settles rejected bad
//   timer 20 settles fulfilled slow
//   t1
//   t2
//   allSettled then: fulfilled,rejected
//   t3
//   == race([1, Promise.resolve(2)])
//   t1
//   t2
//   race then: 1
//   t3
//   == race([pending forever, Promise.resolve(2)])
//   t1
//   t2
//   race then: 2
//   t3
//   == race([Promise.reject(no), 2])
//   t1
//   t2
//   race catch: Error "no"
//   t3
//   == race([timed 20 ms "slow", timed 10 ms "fast"])
//   timer 10 settles fulfilled fast
//   t1
//   t2
//   race then: fast
//   t3
//   timer 20 settles fulfilled slow
//   == race([])
//   race([]) settled after 10 ms: false
//   == any([Promise.reject(no), Promise.resolve(2)])
//   t1
//   t2
//   any then: 2
//   t3
//   == any([1, Promise.resolve(2)])
//   t1
//   t2
//   any then: 1
//   t3
//   == any([Promise.reject(a), Promise.reject(b)])
//   t1
//   t2
//   any catch: AggregateError "All promises were rejected"
//   errors: a,b
//   ${e}: AggregateError: All promises were rejected
//   t3
//   == any([])
//   t1
//   any([]) catch: AggregateError "All promises were rejected" errors 0
//   t2
//   == any([timed 10 ms rejects "bad", timed 20 ms "slow"])
//   timer 10 settles rejected bad
//   timer 20 settles fulfilled slow
//   t1
//   t2
//   any then: slow
//   t3
//   == template strings
//   ${[1,2]}: 1,2
//   ${all value}: 1,a,true,,
//   ${allSettled value}: [object Object],[object Object]
//   ${allSettled value[0].value}: 1
//   ${allSettled value[1].reason}: Error: no
//   ${all of [1,2] and {a:1}}: 1,2,[object Object]
'use strict';
const log = (s) => console.log(s);

// The ruler (as in promise-ticks.cjs): `Promise.resolve().then(t1).then(t2)...` up to t8,
// started just before the case in the same callback; a case line printed between tK and
// tK+1 ran in microtask tick K. It stops after the first tK printed once the case is done().
let finished = false;
const done = () => { finished = true; };
function ruler() {
  finished = false;
  let stopped = false;
  let p = Promise.resolve();
  for (let k = 1; k <= 8; k++) {
    p = p.then(() => {
      if (stopped) return;
      stopped = finished;
      log(`t${k}`);
    });
  }
}
const thenable = (v) => ({ then(res) { log('thenable.then called'); res(v); } });
const err = (m) => new Error(m);
const show = (e) => `${e.constructor.name} "${e.message}"`;
// A promise settled by a timer of `ms`; the timer callback logs, starts a ruler if it is the
// one that decides the combinator (withRuler), then settles the promise.
function timed(ms, value, reject = false, withRuler = false) {
  return new Promise((res, rej) => setTimeout(() => {
    log(`timer ${ms} settles ${reject ? 'rejected' : 'fulfilled'} ${value}`);
    if (withRuler) ruler();
    if (reject) rej(err(value)); else res(value);
  }, ms));
}

const cases = [
  ['all([1, Promise.resolve(2)])', (next) => {
    ruler();
    Promise.all([1, Promise.resolve(2)]).then((v) => { log(`all then: ${v}`); done(); next(); });
  }],
  ['all([Promise.resolve(1), thenable(2)])', (next) => {
    ruler();
    Promise.all([Promise.resolve(1), thenable(2)]).then((v) => { log(`all then: ${v}`); done(); next(); });
  }],
  ['all([])', (next) => {
    ruler();
    Promise.all([]).then((v) => { log(`all([]) then: [${v}] length ${v.length}`); done(); next(); });
  }],
  ['all([Promise.resolve(1), Promise.reject(no)])', (next) => {
    ruler();
    Promise.all([Promise.resolve(1), Promise.reject(err('no'))])
      .then(() => log('all then (never)'), (e) => { log(`all catch: ${show(e)}`); done(); next(); });
  }],
  ['all([timed 20 ms "slow", timed 10 ms "fast", 3])', (next) => {
    Promise.all([timed(20, 'slow', false, true), timed(10, 'fast'), 3]).then((v) => { log(`all then: ${v}`); done(); next(); });
  }],
  ['all([timed 20 ms "slow", timed 10 ms rejects "bad"])', (next) => {
    Promise.all([timed(20, 'slow'), timed(10, 'bad', true, true)])
      .catch((e) => { log(`all catch: ${show(e)}`); done(); setTimeout(next, 30); });
  }],
  ['allSettled([1, Promise.reject(no), Promise.resolve(3)])', (next) => {
    ruler();
    Promise.allSettled([1, Promise.reject(err('no')), Promise.resolve(3)]).then((v) => {
      log(`allSettled then: ${v}`);
      log(`allSettled JSON: ${JSON.stringify(v.map((r) => (r.status === 'rejected' ? { status: r.status, reason: r.reason.message } : r)))}`);
      done(); next();
    });
  }],
  ['allSettled([])', (next) => {
    ruler();
    Promise.allSettled([]).then((v) => { log(`allSettled([]) then: length ${v.length}`); done(); next(); });
  }],
  ['allSettled([timed 20 ms "slow", timed 10 ms rejects "bad"])', (next) => {
    Promise.allSettled([timed(20, 'slow', false, true), timed(10, 'bad', true)])
      .then((v) => { log(`allSettled then: ${v.map((r) => r.status).join(',')}`); done(); next(); });
  }],
  ['race([1, Promise.resolve(2)])', (next) => {
    ruler();
    Promise.race([1, Promise.resolve(2)]).then((v) => { log(`race then: ${v}`); done(); next(); });
  }],
  ['race([pending forever, Promise.resolve(2)])', (next) => {
    ruler();
    Promise.race([new Promise(() => {}), Promise.resolve(2)]).then((v) => { log(`race then: ${v}`); done(); next(); });
  }],
  ['race([Promise.reject(no), 2])', (next) => {
    ruler();
    Promise.race([Promise.reject(err('no')), 2]).catch((e) => { log(`race catch: ${show(e)}`); done(); next(); });
  }],
  ['race([timed 20 ms "slow", timed 10 ms "fast"])', (next) => {
    Promise.race([timed(20, 'slow'), timed(10, 'fast', false, true)])
      .then((v) => { log(`race then: ${v}`); done(); setTimeout(next, 30); });
  }],
  ['race([])', (next) => {
    let settled = false;
    Promise.race([]).then(() => { settled = true; }, () => { settled = true; });
    setTimeout(() => { log(`race([]) settled after 10 ms: ${settled}`); next(); }, 10);
  }],
  ['any([Promise.reject(no), Promise.resolve(2)])', (next) => {
    ruler();
    Promise.any([Promise.reject(err('no')), Promise.resolve(2)]).then((v) => { log(`any then: ${v}`); done(); next(); });
  }],
  ['any([1, Promise.resolve(2)])', (next) => {
    ruler();
    Promise.any([1, Promise.resolve(2)]).then((v) => { log(`any then: ${v}`); done(); next(); });
  }],
  ['any([Promise.reject(a), Promise.reject(b)])', (next) => {
    ruler();
    Promise.any([Promise.reject(err('a')), Promise.reject(err('b'))]).catch((e) => {
      log(`any catch: ${show(e)}`);
      log(`errors: ${e.errors.map((x) => x.message).join(',')}`);
      log(`\${e}: ${e}`);
      done(); next();
    });
  }],
  ['any([])', (next) => {
    ruler();
    Promise.any([]).catch((e) => { log(`any([]) catch: ${show(e)} errors ${e.errors.length}`); done(); next(); });
  }],
  ['any([timed 10 ms rejects "bad", timed 20 ms "slow"])', (next) => {
    Promise.any([timed(10, 'bad', true), timed(20, 'slow', false, true)]).then((v) => { log(`any then: ${v}`); done(); next(); });
  }],
  ['template strings', (next) => {
    log(`\${[1,2]}: ${[1, 2]}`);
    Promise.all([1, 'a', Promise.resolve(true), undefined, null]).then((v) => {
      log(`\${all value}: ${v}`);
      return Promise.allSettled([1, Promise.reject(err('no'))]);
    }).then((v) => {
      log(`\${allSettled value}: ${v}`);
      log(`\${allSettled value[0].value}: ${v[0].value}`);
      log(`\${allSettled value[1].reason}: ${v[1].reason}`);
      return Promise.all([[1, 2], { a: 1 }]);
    }).then((v) => { log(`\${all of [1,2] and {a:1}}: ${v}`); next(); });
  }],
];

// Cases run one after another, each in its own immediate after the previous one ended.
function run(i) {
  if (i >= cases.length) return;
  log(`== ${cases[i][0]}`);
  cases[i][1](() => setImmediate(() => run(i + 1)));
}
run(0);
