// The user listener's request guard (core/contract/request-guard.ts) as a Fastify onRequest hook.
import type { FastifyInstance } from 'fastify';
import { checkUserRequest, type GuardOptions, type RequestFacts } from '../../core/contract/request-guard.ts';

type HeaderFact = Exclude<keyof RequestFacts, 'method' | 'protocol'>;

const HEADERS: readonly (readonly [HeaderFact, string])[] = [
  ['host', 'host'],
  ['origin', 'origin'],
  ['contentType', 'content-type'],
  ['secFetchSite', 'sec-fetch-site'],
  ['secFetchMode', 'sec-fetch-mode'],
];

/** Runs checkUserRequest on every request of the app, before routing and body parsing. */
export function installRequestGuard(app: FastifyInstance, options: GuardOptions): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const facts: RequestFacts = {
      method: request.method,
      protocol: request.protocol === 'https' ? 'https' : 'http',
    };
    for (const [fact, name] of HEADERS) {
      const value = request.headers[name];
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined) facts[fact] = first;
    }
    done(checkUserRequest(facts, options));
  });
}
