// Request types from JSON schemas (server/listeners/typed-routes.ts): a handler reads params, query and
// body as their schemas say, and the typecheck (npm run typecheck) refuses a read the schema does not
// allow, which the @ts-expect-error lines below hold. At run time the schema still refuses bad input first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { typedRoutes } from '../../../server/listeners/typed-routes.ts';

const params = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^rec-[a-z0-9]+$' } },
} as const;

const query = {
  type: 'object',
  properties: { limit: { type: 'integer', minimum: 1, maximum: 100 }, state: { enum: ['done', 'failed'] } },
  additionalProperties: false,
} as const;

describe('typed routes', () => {
  it('types a handler’s params and query from their schemas, which refuse bad input first', async (t) => {
    const app = Fastify();
    t.after(() => app.close());
    typedRoutes(app).get('/recordings/:id', { schema: { params, querystring: query } }, (request) => {
      const id: string = request.params.id;
      const limit: number | undefined = request.query.limit;
      const state: 'done' | 'failed' | undefined = request.query.state;
      // @ts-expect-error: the schema's id is a string, not a number.
      const asNumber: number = request.params.id;
      // @ts-expect-error: `state` is one of two words, not any string.
      const anyState: 'running' | undefined = request.query.state;
      return {
        id,
        limit: limit ?? null,
        state: state ?? null,
        asNumber: typeof asNumber,
        anyState: anyState ?? null,
      };
    });
    const good = await app.inject({ method: 'GET', url: '/recordings/rec-1?limit=5&state=done' });
    assert.equal(good.statusCode, 200);
    assert.deepEqual(good.json(), {
      id: 'rec-1',
      limit: 5,
      state: 'done',
      asNumber: 'string',
      anyState: 'done',
    });
    const bad = await app.inject({ method: 'GET', url: '/recordings/rec-1?state=running' });
    assert.equal(bad.statusCode, 400);
  });
});
