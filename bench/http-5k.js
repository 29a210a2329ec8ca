// Node.js twin of http-5k.yaml: 5,000 concurrent GETs to the delay server (another process, at
// LOOPTEST_DELAY_ADDR), each answered after 100 ms, each on its own connection.
const http = require('http');
const [host, port] = process.env.LOOPTEST_DELAY_ADDR.split(':');
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const scale = Number(process.env.LOOPTEST_SCALE) || 1;
for (let i = 0; i < Math.max(1, 5000 / scale); i++) {
  http.get({ host, port, path: '/x', agent, headers: { 'Looptest-Delay': '100ms' } }, (res) => res.resume());
}
setTimeout(() => console.log('done'), 1);
