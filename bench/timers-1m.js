// Node.js twin of timers-1m.yaml: one million timers over 100 delays (0-99 ms).
const scale = Number(process.env.LOOPTEST_SCALE) || 1;
for (let k = 0; k < 100; k++) for (let i = 0; i < Math.max(1, 10000 / scale); i++) setTimeout(() => {}, k);
setTimeout(() => console.log('done'), 100);
