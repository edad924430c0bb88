// A stand-in for the least a Node proxy does: node:http's server and an undici Pool to one fixed upstream,
// the path below /proxy/:namespace/:pod forwarded with the authorization replaced and the answer read whole
// and sent (as Furnace does with a JSON answer), no framework. BENCH_BARE=1 adds it to bench:proxy's rounds:
// the floor under any proxy written on Node here.
import { createServer } from 'node:http';
import { Pool } from 'undici';
import { portOf } from '../harness/ports.ts';

const pool = new Pool(`http://127.0.0.1:${process.env.BENCH_UPSTREAM_PORT ?? ''}`);
const authorization = process.env.BENCH_UPSTREAM_AUTHORIZATION ?? '';
const PREFIX = /^\/proxy\/[^/]+\/[^/]+/;

const server = createServer((request, response) => {
  const path = (request.url ?? '/').replace(PREFIX, '') || '/';
  pool.request({ method: 'GET', path, headers: { authorization } }).then(
    async (answer) => {
      const body = Buffer.from(await answer.body.arrayBuffer());
      const type = answer.headers['content-type'];
      response.writeHead(answer.statusCode, {
        ...(typeof type === 'string' ? { 'content-type': type } : {}),
        'content-length': body.length,
      });
      response.end(body);
    },
    () => {
      response.statusCode = 502;
      response.end();
    },
  );
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${portOf(server)}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
