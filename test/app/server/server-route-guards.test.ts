// Every route of both listeners declares who may call it (server/auth/route-guard.ts), collected as the
// guard hook's onRoute saw them with every part switched on (kubernetes auth, agent mode, continuous, the
// built UI and the unbuilt one): none without a guard, user guards only on the user listener, recorder guards
// only on the recorder one; and a route that declares nothing stops the app from starting.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import Fastify from 'fastify';
import {
  guardedRoutes,
  installRouteGuards,
  type GuardedRoute,
} from '../../../server/auth/route-guard-hook.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { CONTINUOUS_AGENT_SETTINGS } from './continuous-fixture.ts';
import { buildFixture } from './server-fixture.ts';

async function uiDir(t: TestContext, built: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'furnace-ui-dist-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  if (built) await writeFile(join(dir, 'index.html'), '<!doctype html><title>Furnace</title>');
  return dir;
}

/** Both listeners' routes with everything on, as their guard hooks collected them. */
async function everyRoute(t: TestContext, built: boolean) {
  const f = await buildFixture(t, {
    authMode: 'kubernetes',
    kube: fakeKubeGateway({}),
    uiDir: await uiDir(t, built),
    agent: { settings: CONTINUOUS_AGENT_SETTINGS },
  });
  await f.app.ready();
  await f.recorder.ready();
  return { user: guardedRoutes(f.app), recorder: guardedRoutes(f.recorder) };
}

const kindOf = (route: GuardedRoute): string => Object.keys(route.guard)[0] ?? 'none';
const named = (routes: readonly GuardedRoute[]) => routes.map((route) => `${route.method} ${route.url}`);

describe('route guards', () => {
  for (const built of [true, false]) {
    it(`every route of both listeners declares its guard (UI ${built ? 'built' : 'not built'})`, async (t) => {
      const { user, recorder } = await everyRoute(t, built);
      const userRoutes = named(user);
      for (const route of [
        'GET /api/v1/sidecars',
        'GET /api/v1/recordings',
        'DELETE /api/v1/recordings/:id',
        'GET /api/v1/recordings/merged/artifacts/:name',
        'GET /api/v1/continuous/stacks',
        'GET /api/v1/pods/:namespace/:pod/containers',
        'GET /metrics',
        'GET /',
      ])
        assert.ok(userRoutes.includes(route), `the user listener has ${route}: ${userRoutes.join(', ')}`);
      assert.ok(
        userRoutes.some((route) => route.includes('/proxy/:namespace/:pod/*')),
        'the proxy is guarded',
      );
      for (const route of ['POST /api/v1/sidecars', 'POST /api/v1/agents', 'PUT /api/v1/recordings/:id'])
        assert.ok(named(recorder).includes(route), `the recorder listener has ${route}`);
      for (const route of [...user, ...recorder])
        assert.ok(
          ['public', 'signedIn', 'authorize', 'authorizePath', 'recorder'].includes(kindOf(route)),
          `${route.method} ${route.url} declares a guard`,
        );
      assert.deepEqual(
        user.filter((route) => kindOf(route) === 'recorder'),
        [],
        'no recorder route on the user listener',
      );
      assert.deepEqual(
        named(recorder.filter((route) => !['recorder', 'public'].includes(kindOf(route)))),
        [],
        'no user route on the recorder listener',
      );
      assert.deepEqual(
        named(recorder.filter((route) => kindOf(route) === 'public')),
        ['GET /healthz', 'HEAD /healthz', 'GET /readyz', 'HEAD /readyz'],
        'only the probes are public on the recorder listener',
      );
    });
  }

  it('refuses to start an app with a route that declares no guard', async (t) => {
    const app = Fastify();
    // Closing an app whose start failed answers that failure again.
    t.after(() => app.close().catch(() => undefined));
    installRouteGuards(app, {});
    app.get('/guarded', { config: { guard: { public: 'a test route' } } }, () => ({}));
    void app.register((scope, _options, done) => {
      try {
        scope.get('/open', () => ({}));
        done();
      } catch (error) {
        done(error as Error);
      }
    });
    await assert.rejects(async () => app.ready(), /route GET \/open declares no guard/);
  });
});
