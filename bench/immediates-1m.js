// Node.js twin of immediates-1m.yaml: one million immediates queued by the main module.
const scale = Number(process.env.LOOPTEST_SCALE) || 1;
for (let i = 0; i < Math.max(1, 1000000 / scale); i++) setImmediate(() => {});
setTimeout(() => console.log('done'), 1);
