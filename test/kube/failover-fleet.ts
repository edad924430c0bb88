// Simulated recorders for the failover test: each a pod created through the real API server, a stand-in
// sidecar serving HTTPS on a loopback address of its own (the pod's IP) that answers starts from the proxy,
// and after the recording's duration uploads the final status and stacks.folded (a known checksum)
// through the load balancer with the upload token registration answered. Every API call a recorder or the
// test's user makes is tried at most twice, and counted (first try, after one retry, failed); an upload
// that failed both is sent again uncounted until taken, as a sidecar's delivery loop does. A start with a
// key the stand-in has seen answers that recording, as a sidecar does.
import { createHash, randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import Fastify from 'fastify';
import { SIDECAR_TLS_PORT } from '../../core/contract/names.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { START_KEY_HEADER } from '../../core/contract/start-key.ts';
import { createServingIdentity } from '../../sidecar/api/self-signed-certificate.ts';
import { createServiceAccountToken } from '../harness/cluster.ts';
import { bearerCall, httpsCall } from '../harness/http.ts';
import { serveOverHttps } from '../harness/https-server.ts';
import { perfParams, recordingStatus } from '../harness/recording-status.ts';
import { createPod } from './server-kube-fixture.ts';

export interface CallCounts {
  first: number;
  retried: number;
  failed: number;
  failures: string[];
}

export const newCounts = (): CallCounts => ({ first: 0, retried: 0, failed: 0, failures: [] });

type Answer = { status: number; body: string };

const CALL_TIMEOUT_MS = 10_000;

/** The answer, or status 0 when none came within CALL_TIMEOUT_MS (a connection the balancer holds open). */
export async function within(call: Promise<Answer>): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Answer>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 0, body: `no answer within ${CALL_TIMEOUT_MS} ms` }),
      CALL_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([call.catch((error: Error) => ({ status: 0, body: error.message })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** One API call, retried once a second later unless its answer is 2xx; counted either way. */
export async function counted(
  counts: CallCounts,
  what: string,
  call: () => Promise<Answer>,
): Promise<Answer> {
  let last: Answer | Error = new Error('not called');
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) await sleep(1000);
    try {
      last = await within(call());
      if (last.status >= 200 && last.status < 300) {
        if (attempt === 0) counts.first++;
        else counts.retried++;
        return last;
      }
    } catch (error) {
      last = error as Error;
    }
  }
  counts.failed++;
  const why = last instanceof Error ? last.message : `${last.status} ${last.body.slice(0, 200)}`;
  counts.failures.push(`${what}: ${why}`);
  return last instanceof Error ? { status: 0, body: last.message } : last;
}

export interface FinishedUpload {
  id: string;
  recorder: string;
  sha256: string;
  /** performance.now() when the last upload call was answered. */
  at: number;
}

export interface Recorder {
  name: string;
  host: string;
  uploadToken: string;
  /** Recordings the stand-in was asked to start (by the proxy), by id. */
  started: Map<string, RecordingStatus>;
  /** The uploads under way (awaited at the end of the run). */
  pending: Set<Promise<void>>;
}

export interface Fleet {
  recorders: Recorder[];
  counts: CallCounts;
  done: FinishedUpload[];
  /** Told of each recording that reached `done` (its last upload call answered). */
  onDone?: (upload: FinishedUpload) => void;
}

interface RecorderSetup {
  t: TestContext;
  kc: KubeConfig;
  namespace: string;
  index: number;
  /** Where the recorder registers and uploads (the load balancer's recorder frontend). */
  recorderUrl: string;
  ca: string;
  fleet: Fleet;
}

/** How long a stand-in keeps sending an upload the counted tries did not get through, as a sidecar's delivery loop does. */
const DELIVERY_MS = 60_000;

/**
 * An upload call, counted (first try, one retry); when both failed, sent again every 2 s (not counted) until
 * it is taken or DELIVERY_MS passed: a sidecar keeps delivering until the catalog takes the recording, and
 * a recording that never reached `done` would hold its pod's start slot for its deadline.
 */
async function deliver(counts: CallCounts, what: string, call: () => Promise<Answer>): Promise<Answer> {
  let answer = await counted(counts, what, call);
  const until = Date.now() + DELIVERY_MS;
  while ((answer.status < 200 || answer.status >= 300) && Date.now() < until) {
    await sleep(2000);
    answer = await within(call());
  }
  return answer;
}

async function upload(setup: RecorderSetup, recorder: Recorder, status: RecordingStatus): Promise<void> {
  const { fleet, recorderUrl, ca } = setup;
  await sleep(status.params.durationSeconds * 1000);
  const folded = `main;${recorder.name};${status.id} ${1 + Math.floor(Math.random() * 1000)}\n`;
  const endedAt = new Date().toISOString();
  const done = {
    ...status,
    state: 'done',
    stage: 'upload',
    progress: 1,
    endedAt,
    artifacts: ['stacks.folded'],
  };
  const base = `${recorderUrl}/api/v1/recordings/${status.id}`;
  const put = await deliver(fleet.counts, `upload status ${status.id}`, () =>
    bearerCall(base, ca, recorder.uploadToken, 'PUT', done),
  );
  if (put.status < 200 || put.status >= 300) return;
  const artifact = await deliver(fleet.counts, `upload stacks.folded ${status.id}`, () =>
    httpsCall(`${base}/artifacts/stacks.folded`, ca, {
      method: 'PUT',
      headers: { authorization: `Bearer ${recorder.uploadToken}`, 'content-type': 'text/plain' },
      body: folded,
    }),
  );
  if (artifact.status < 200 || artifact.status >= 300) return;
  const sha256 = createHash('sha256').update(folded).digest('hex');
  const finished = { id: status.id, recorder: recorder.name, sha256, at: performance.now() };
  fleet.done.push(finished);
  fleet.onDone?.(finished);
}

function standInSidecar(setup: RecorderSetup, recorder: Recorder) {
  const app = Fastify();
  // Ids unique across runs, as a sidecar's are: the catalog is one for the whole cluster.
  const prefix = `${recorder.name}-${randomBytes(4).toString('hex')}`;
  let next = 0;
  // As a sidecar does (sidecar/recording/start-keys.ts): a start with a key seen before answers its recording.
  const byKey = new Map<string, RecordingStatus>();
  app.post('/recordings', (request, reply) => {
    const key = request.headers[START_KEY_HEADER];
    const seen = typeof key === 'string' ? byKey.get(key) : undefined;
    if (seen) return reply.code(200).send(seen);
    const params = request.body as { durationSeconds?: number };
    const id = `${prefix}-${next++}`;
    const status = recordingStatus(id, {
      params: perfParams(params.durationSeconds ?? 1),
      startedAt: new Date().toISOString(),
      targets: [],
    });
    recorder.started.set(id, status);
    if (typeof key === 'string') byKey.set(key, status);
    const pending = upload(setup, recorder, status);
    recorder.pending.add(pending);
    void pending.finally(() => recorder.pending.delete(pending));
    return reply.code(200).send(status);
  });
  app.get('/recordings', () => ({ recordings: [...recorder.started.values()] }));
  return app;
}

/** Creates the pod, serves its stand-in sidecar and registers it through registerUrl (a replica, directly). */
export async function startRecorder(setup: RecorderSetup, registerUrl: string): Promise<Recorder> {
  const name = `rec${setup.index}`;
  const host = `127.2.${Math.floor(setup.index / 200) + 1}.${(setup.index % 200) + 10}`;
  const pod = await createPod(setup.kc, setup.namespace, name, { podIp: host });
  const recorder: Recorder = { name, host, uploadToken: '', started: new Map(), pending: new Set() };
  const identity = await createServingIdentity();
  await serveOverHttps(setup.t, standInSidecar(setup, recorder), identity, { host, port: SIDECAR_TLS_PORT });
  const podToken = await createServiceAccountToken(setup.kc, {
    namespace: setup.namespace,
    serviceAccount: 'default',
    audiences: ['furnace'],
    boundPod: { name, uid: pod.metadata?.uid ?? '' },
  });
  const registered = await counted(setup.fleet.counts, `register ${name}`, () =>
    bearerCall(`${registerUrl}/api/v1/sidecars`, setup.ca, podToken, 'POST', {
      tlsPort: SIDECAR_TLS_PORT,
      tlsPin: identity.pin,
    }),
  );
  if (registered.status !== 200) throw new Error(`registration of ${name}: ${registered.body}`);
  recorder.uploadToken = (JSON.parse(registered.body) as { uploadToken: string }).uploadToken;
  // As a sidecar does, renewed well within the 30 s lease, through the load balancer (not counted).
  const renew = setInterval(() => {
    const body = { tlsPort: SIDECAR_TLS_PORT, tlsPin: identity.pin };
    void bearerCall(`${setup.recorderUrl}/api/v1/sidecars`, setup.ca, podToken, 'POST', body).catch(
      () => undefined,
    );
  }, 10_000);
  setup.t.after(() => clearInterval(renew));
  return recorder;
}
