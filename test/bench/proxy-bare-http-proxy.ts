// A stand-in for the proxy with nothing of Furnace's: Fastify and @fastify/http-proxy (undici) to one fixed
// upstream, the path below /proxy/:namespace/:pod forwarded and the authorization replaced, as Furnace's
// route does. BENCH_BARE=1 adds it to bench:proxy's rounds: what the package costs before any of
// Furnace's hooks (auth, registry, answer checks, metrics).
import httpProxy from '@fastify/http-proxy';
import Fastify from 'fastify';
import { portOf } from '../harness/ports.ts';

const upstream = `http://127.0.0.1:${process.env.BENCH_UPSTREAM_PORT ?? ''}`;
const authorization = process.env.BENCH_UPSTREAM_AUTHORIZATION ?? '';
const app = Fastify();
await app.register(httpProxy, {
  upstream,
  prefix: '/proxy/:namespace/:pod',
  rewritePrefix: '',
  disableRequestLogging: true,
  replyOptions: {
    rewriteRequestHeaders: (_request, headers) => ({ ...headers, authorization }),
  },
});
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${portOf(app.server)}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
