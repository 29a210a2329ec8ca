// Node.js twin of pool-100k.yaml: 100,000 pool round trips; crypto.pbkdf2 with one iteration is
// the cheapest task that crosses to a libuv worker and back, and fib(1) stands for the encrypt.
const crypto = require('crypto');
const scale = Number(process.env.LOOPTEST_SCALE) || 1;
const fib = (n) => { let a = 0, b = 1; for (let i = 0; i < n; i++) [a, b] = [b, a + b]; return a; };
const encrypt = (then) => crypto.pbkdf2('', '', 1, 8, 'sha256', () => { fib(1); then(); });
for (let i = 0; i < 10; i++) encrypt(() => { for (let j = 0; j < Math.max(1, 9999 / scale); j++) encrypt(() => {}); });
setTimeout(() => console.log('done'), 1);
