// Local mode's key (core/contract/run-key.ts) as a Fastify onRequest hook on the user listener: every
// route but the probes answers only a caller who shows the key, so another user of the machine (who
// reaches the same loopback port) cannot record the owner's processes or read their recordings.
import type { FastifyInstance } from 'fastify';
import { FurnaceError } from '../../core/contract/errors.ts';
import { decideRunKey, keepHeaders, KEY_PARAMETER, type RunKey } from '../../core/contract/run-key.ts';

const PROBES = new Set(['/healthz', '/readyz']);

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

export function installRunKey(app: FastifyInstance, key: RunKey, keyFile: string): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (PROBES.has(request.url.split('?')[0] ?? '')) return done();
    const decision = decideRunKey(key, {
      method: request.method,
      url: request.url,
      host: first(request.headers.host),
      cookie: first(request.headers.cookie),
      authorization: first(request.headers.authorization),
    });
    if (decision.kind === 'admit') return done();
    if (decision.kind === 'redirect') {
      void reply.code(303).headers({ location: decision.location, 'cache-control': 'no-store' }).send();
      return;
    }
    if (decision.kind === 'keep') {
      void reply.code(200).headers(keepHeaders(decision)).send(decision.page);
      return;
    }
    done(
      new FurnaceError(
        'ERR_UNAUTHENTICATED',
        `local mode answers only with its key: open the URL that npm start printed (it carries ?${KEY_PARAMETER}=), or send "Authorization: Bearer" with the key in ${keyFile}`,
        { keyFile },
      ),
    );
  });
}
