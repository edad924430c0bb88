// bench:continuous's stand-in for the server's recorder listener (named a stand-in: the bench measures the
// agent, not the server): it answers the agent's plan polls with the plan the bench sets, and stores each
// uploaded window as the server does (server/continuous/agent-continuous-routes.ts): folded text and pprof
// under the window's key, in the real filesystem window store.
import { createServer, type Server } from 'node:http';
import { text } from 'node:stream/consumers';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import {
  EMPTY_PLAN,
  type ContinuousPlan,
  type ContinuousWindowUpload,
} from '../../core/continuous/continuous-plan.ts';
import { parseFolded } from '../../core/stacks/folded.ts';
import { windowKey } from '../../server/continuous/window-keys.ts';
import { windowPprof } from '../../server/continuous/window-pprof.ts';
import type { WindowStore } from '../../server/continuous/window-store.ts';

export interface StandInServer {
  url: string;
  setPlan(plan: ContinuousPlan): void;
  /** Windows stored (one per pod and container), those the agent said it dropped, and the time its windows cover. */
  counts(): { stored: number; dropped: number; uploads: number; recordedMs: number };
}

async function storeUpload(
  store: WindowStore,
  plan: ContinuousPlan,
  upload: ContinuousWindowUpload,
): Promise<number> {
  let stored = 0;
  for (const profile of upload.profiles) {
    if (profile.folded === '') continue;
    const meta = { ...profile, node: upload.node, start: upload.start, end: upload.end };
    await store.put(
      windowKey(meta),
      profile.folded,
      await windowPprof(parseFolded(profile.folded), meta, plan.frequency),
    );
    stored += 1;
  }
  return stored;
}

export async function startStandInServer(
  t: Pick<TestContext, 'after'>,
  store: WindowStore,
): Promise<StandInServer> {
  let plan: ContinuousPlan = EMPTY_PLAN;
  const counts = { stored: 0, dropped: 0, uploads: 0, recordedMs: 0 };
  const server: Server = createServer((request, reply) => {
    void (async () => {
      const body = await text(request);
      if (request.method === 'POST' && request.url === '/api/v1/agents/continuous') {
        reply.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(plan));
        return;
      }
      if (request.method === 'PUT' && request.url === '/api/v1/agents/continuous/windows') {
        const upload = JSON.parse(body) as ContinuousWindowUpload & { dropped: number };
        counts.uploads += 1;
        counts.recordedMs += upload.end - upload.start;
        counts.dropped += upload.dropped;
        counts.stored += await storeUpload(store, plan, upload);
        reply.writeHead(204).end();
        return;
      }
      reply.writeHead(404).end();
    })().catch((error: unknown) => reply.writeHead(500).end(String(error)));
  });
  // As the server's listeners keep an idle connection (Fastify's default keepAliveTimeout).
  server.keepAliveTimeout = 72_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, setPlan: (next) => (plan = next), counts: () => ({ ...counts }) };
}
