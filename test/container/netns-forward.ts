/** Run inside a test's private network namespace: makes each loopback port
 * given on the command line reachable from outside it through a unix socket
 * `<dir>/<port>.sock` (a plain byte pipe), so a test in the host's namespace
 * can talk to a stack on the default ports without sharing them with anyone.
 * Usage: node netns-forward.js <dir> <port>... ; prints "ready" when listening. */
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

const [dir, ...ports] = process.argv.slice(2);
if (!dir || ports.length === 0) {
  process.stderr.write('usage: netns-forward <dir> <port>...\n');
  process.exit(2);
}
let listening = 0;
for (const port of ports) {
  const server = createServer((client) => {
    const upstream = connect(Number(port), '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
  });
  server.listen(join(dir, `${port}.sock`), () => {
    listening += 1;
    if (listening === ports.length) process.stdout.write('ready\n');
  });
}
