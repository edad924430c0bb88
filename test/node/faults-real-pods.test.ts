// Faults on real pods (issue 43): Furnace installed from its images as the README says (readme-walk-real-install.ts)
// on the test node, the sample Deployment of the hot program opted in, and then what a cluster does to pods:
// - the profiled pod is deleted mid-recording: the recording ends with what was sampled, and says why;
// - the server's container is killed while a recording is being finished and delivered: when the kubelet
//   has restarted it, the catalog has every recording and artifact it had, and that one too;
// - the sidecar's container is killed mid-recording: the kubelet restarts it, it registers again, and the
//   recording in flight is finished or failed with a reason.
// Each prints what survived. Stand-ins left: as in readme-walk-real.test.ts (images imported, not pulled).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { isFinished, type CatalogEntry, type RecordingStatus } from '../../core/contract/recording.ts';
import { foldedShare } from '../browser/flame-page.ts';
import { eventually } from '../harness/eventually.ts';
import { buildHotAppImage } from '../harness/node/test-images.ts';
import { useNode } from '../harness/node/use-node.ts';
import {
  callServer,
  install,
  loadFurnaceImages,
  portForward,
  registered,
  serverCa,
  uninstall,
  type ServerLink,
} from './readme-walk-real-install.ts';
import { enableNamespace, killContainer, podNow, readyPod, webDeployment } from './readme-walk-real-pods.ts';

const node = await useNode();

describe('faults on real pods: what survives', () => {
  let dir = '';
  let app = '';
  let token = '';
  before(async () => {
    dir = await mkdtemp(join('/var/tmp', 'furnace-faults-real-'));
    await loadFurnaceImages(node, dir);
    await node.importImage(await buildHotAppImage(dir));
    await install(node, dir);
    app = `faults-${randomBytes(3).toString('hex')}`;
    token = await enableNamespace(node, app);
    await node.kubectl(['apply', '-f', '-'], JSON.stringify(await webDeployment(app)));
  });
  after(async () => {
    await node.kubectl(['delete', 'namespace', app, '--wait=false']).catch(() => undefined);
    await uninstall(node, dir);
    await rm(dir, { recursive: true, force: true });
  });

  /** A link to the server through a port-forward of this test (a new one after the server's pod changed). */
  async function link(t: TestContext): Promise<ServerLink> {
    return { base: await portForward(t, node), ca: await serverCa(node) };
  }

  async function start(server: ServerLink, pod: string, durationSeconds: number): Promise<string> {
    const started = await callServer(server, `/proxy/${app}/${pod}/recordings`, token, {
      method: 'POST',
      body: { container: 'web', durationSeconds, frequency: 99 },
    });
    assert.equal(started.status, 202, started.body);
    return (JSON.parse(started.body) as RecordingStatus).id;
  }

  async function status(server: ServerLink, pod: string, id: string): Promise<RecordingStatus> {
    const answer = await callServer(server, `/proxy/${app}/${pod}/recordings/${id}`, token);
    assert.equal(answer.status, 200, answer.body);
    return JSON.parse(answer.body) as RecordingStatus;
  }

  /** The catalog's entry now, if it has one. */
  async function catalogEntry(server: ServerLink, id: string): Promise<CatalogEntry | undefined> {
    const answer = await callServer(server, `/api/v1/recordings/${id}`, token);
    return answer.status === 200 ? (JSON.parse(answer.body) as CatalogEntry) : undefined;
  }

  /** The catalog's entry, once it has one whose state is final. */
  function finishedEntry(server: ServerLink, id: string, timeoutMs = 120_000): Promise<CatalogEntry> {
    return eventually(
      async () => {
        const entry = await catalogEntry(server, id);
        return entry?.state === 'done' || entry?.state === 'failed' ? entry : undefined;
      },
      timeoutMs,
      `recording ${id} in the catalog`,
      500,
    );
  }

  async function catalog(server: ServerLink): Promise<Map<string, string[]>> {
    const answer = await callServer(server, `/api/v1/recordings?namespace=${app}`, token);
    assert.equal(answer.status, 200, answer.body);
    const items = (JSON.parse(answer.body) as { items: CatalogEntry[] }).items;
    return new Map(items.map((e) => [e.id, e.artifacts.map((a) => a.name).sort()]));
  }

  async function heavySamples(server: ServerLink, id: string): Promise<number> {
    const folded = await callServer(server, `/api/v1/recordings/${id}/artifacts/stacks.folded`, token);
    assert.equal(folded.status, 200, folded.body);
    return Math.round(foldedShare(folded.body, /^furnace_heavy$/) * 100);
  }

  it('the server’s container killed while a recording is finished and delivered: no recording or artifact is lost', async (t) => {
    const pod = await readyPod(node, app, 'app=web');
    const server = await link(t);
    await registered(server, token, app, pod.metadata.name, 'sidecar');
    const first = await start(server, pod.metadata.name, 3);
    await finishedEntry(server, first);
    await eventually(
      async () => (isFinished(await status(server, pod.metadata.name, first)) ? true : undefined),
      60_000,
      `the sidecar to finish ${first}`,
      250,
    );
    const before = await catalog(server);
    const id = await start(server, pod.metadata.name, 6);
    // Until the recorder has stopped perf and works on the files it uploads next.
    await eventually(
      async () => ((await status(server, pod.metadata.name, id)).state !== 'recording' ? true : undefined),
      60_000,
      `recording ${id} to stop recording`,
      100,
    );
    const inCatalog = await callServer(server, `/api/v1/recordings/${id}`, token);
    const serverPod = await readyPod(node, 'furnace', 'app.kubernetes.io/component=server');
    await killContainer(node, serverPod, 'server');
    t.diagnostic(
      `killed the server's container; the catalog answered ${inCatalog.status} for ${id} just before`,
    );
    await eventually(
      async () => {
        const now = await podNow(node, 'furnace', serverPod.metadata.name);
        const server = now.status.containerStatuses?.[0];
        return server && server.restartCount > 0 && server.ready ? true : undefined;
      },
      120_000,
      'the kubelet to restart the server container',
      1000,
    );
    const again = await link(t);
    const entry = await finishedEntry(again, id);
    // The recorder sends the rest of the files once it has registered again (a catalog entry is final
    // before its last files arrive): wait until the catalog has as many as the first recording's.
    const expected = before.get(first) ?? [];
    const afterwards = await eventually(
      async () => {
        const now = await catalog(again);
        return (now.get(id)?.length ?? 0) >= expected.length ? now : undefined;
      },
      90_000,
      `every artifact of ${id} in the catalog`,
      1000,
    ).catch(async (error: unknown) => {
      const now = await catalog(again);
      throw new Error(`${String(error)}: the catalog has ${JSON.stringify(now.get(id))} of ${id}`);
    });
    for (const [before_, names] of before)
      assert.deepEqual(afterwards.get(before_), names, `recording ${before_} kept every artifact`);
    assert.deepEqual(afterwards.get(id), expected, 'the new recording has every artifact too');
    t.diagnostic(
      `survived: ${afterwards.size} recordings (${before.size} before), ` +
        `${[...afterwards.values()].reduce((n, a) => n + a.length, 0)} artifacts; ${id} ${entry.state}, ` +
        `${entry.samples ?? 0} samples, furnace_heavy ${await heavySamples(again, id)} %; the catalog had ` +
        `${entry.artifacts.length} of its ${expected.length} files when first seen after the restart`,
    );
    assert.equal(entry.state, 'done', entry.error);
  });

  it('the kubelet restarts the killed sidecar container: it registers again; the recording in flight ends with a reason', async (t) => {
    const pod = await readyPod(node, app, 'app=web');
    const server = await link(t);
    const before = await registered(server, token, app, pod.metadata.name, 'sidecar');
    const id = await start(server, pod.metadata.name, 20);
    await eventually(
      async () => ((await status(server, pod.metadata.name, id)).progress > 0.15 ? true : undefined),
      60_000,
      `recording ${id} under way`,
      250,
    );
    await killContainer(node, pod, 'furnace');
    const restarted = await eventually(
      async () => {
        const now = await podNow(node, app, pod.metadata.name);
        const sidecar = now.status.containerStatuses?.find((c) => c.name === 'furnace');
        return sidecar && sidecar.restartCount > 0 && sidecar.ready ? now : undefined;
      },
      120_000,
      'the kubelet to restart the sidecar container',
      1000,
    );
    await eventually(
      async () => {
        const entry = await registered(server, token, app, pod.metadata.name, 'sidecar');
        return entry.registeredAt !== before.registeredAt ? entry : undefined;
      },
      120_000,
      'the restarted sidecar to register again',
      1000,
    );
    const entry = await finishedEntry(server, id);
    t.diagnostic(
      `survived: ${id} ${entry.state} (${entry.error ?? entry.endReason ?? 'no reason'}), ${entry.samples ?? 0} samples, ` +
        `artifacts ${entry.artifacts.map((a) => a.name).join(', ')}; the pod ${restarted.metadata.uid === pod.metadata.uid ? 'is the same' : 'changed'}`,
    );
    const reason = entry.state === 'failed' ? entry.error : entry.endReason;
    assert.ok(reason && reason.length > 0, `the recording says why it ended: ${JSON.stringify(entry)}`);
  });

  it('the profiled pod deleted mid-recording: the recording ends with what was sampled and says why', async (t) => {
    const pod = await readyPod(node, app, 'app=web');
    const server = await link(t);
    await registered(server, token, app, pod.metadata.name, 'sidecar');
    const id = await start(server, pod.metadata.name, 30);
    await eventually(
      async () => ((await status(server, pod.metadata.name, id)).progress > 0.15 ? true : undefined),
      60_000,
      `recording ${id} under way`,
      250,
    );
    await node.kubectl(['delete', 'pod', '-n', app, pod.metadata.name, '--wait=false']);
    const finished = await finishedEntry(server, id, 90_000);
    assert.equal(finished.state, 'done', finished.error);
    // The entry is final before its files arrive (the sidecar PUTs the status first, then each file, the
    // flame tree first): wait for the folded stacks, which a recorder shutting down must still deliver.
    const entry = await eventually(
      async () => {
        const now = await catalogEntry(server, id);
        return now?.artifacts.some((a) => a.name === 'stacks.folded') ? now : undefined;
      },
      60_000,
      `stacks.folded of ${id} in the catalog`,
      500,
    );
    const heavy = await heavySamples(server, id);
    t.diagnostic(
      `survived: ${id} ${entry.state}, ended because ${entry.endReason ?? entry.error ?? '?'}, ${entry.samples ?? 0} samples ` +
        `(furnace_heavy ${heavy} %), artifacts ${entry.artifacts.map((a) => a.name).join(', ')}`,
    );
    assert.equal(entry.state, 'done', entry.error);
    assert.ok((entry.samples ?? 0) > 0, 'what was sampled is kept');
    assert.ok(heavy > 50, `the samples are the program's: furnace_heavy ${heavy} %`);
    assert.match(entry.endReason ?? '', /exited|shut down|interrupted/, 'it says why it ended early');
  });
});
