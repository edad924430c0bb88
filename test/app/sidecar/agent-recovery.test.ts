// A restarted node agent reads back what its previous run left under its data directory: each pod's
// controller is rebuilt from the pod's saved scope, a recording it finished while the server was away is
// delivered with that recording's own upload grant, and a recording whose grant expired or was never
// saved ends in words on its entry instead of being retried or dropped. perf, /proc and the server are
// fakes at their boundary (agent-fixture.ts); the kube tier kills the real agent (agent-killed.test.ts).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { GRANT_FILE, SCOPE_FILE } from '../../../sidecar/agent/agent-disk.ts';
import type { JournalRecord } from '../../../sidecar/recording/recording-journal.ts';
import { eventually } from '../../harness/eventually.ts';
import { agentApp, scopeOf } from './agent-fixture.ts';

/** A token shaped as the server's signed grant (server/registry/upload-grants.ts), expiring at `e`. */
function grantUntil(e: number, pod: 'a' | 'b'): string {
  const { namespace, pod: name, podUid } = scopeOf(pod);
  const claims = { n: namespace, p: name, u: podUid, d: 'node-a', e, r: `${pod}${e}` };
  return `key1.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.mac`;
}

type Agent = Awaited<ReturnType<typeof agentApp>>;

async function recordOnce(agent: Agent, pod: 'a' | 'b', grant: string): Promise<RecordingStatus> {
  const started = await agent.call('POST', '/recordings', scopeOf(pod, grant), { durationSeconds: 1 });
  assert.equal(started.statusCode, 202, started.body);
  const { id } = started.json<RecordingStatus>();
  return eventually(
    async () => {
      const status = (await agent.call('GET', `/recordings/${id}`, scopeOf(pod))).json<RecordingStatus>();
      return status.state === 'done' || status.state === 'failed' ? status : undefined;
    },
    10_000,
    `recording ${id} to finish`,
  );
}

function recordingDir(dataDir: string, pod: 'a' | 'b', id: string): string {
  return `${dataDir}/pods/${scopeOf(pod).podUid}/recordings/${id}`;
}

async function journalOf(dir: string): Promise<JournalRecord> {
  return JSON.parse(await readFile(`${dir}/recording.json`, 'utf8')) as JournalRecord;
}

describe('a restarted node agent', () => {
  it('delivers with its own grant what it finished while the server was away, and says why it cannot deliver the rest', async (t) => {
    const dataDir = await mkdtemp(`${tmpdir()}/furnace-agent-recovery-`);
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const hourFromNow = Date.now() + 3_600_000;
    const away = await agentApp(t, {
      dataDir,
      send: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:8081')),
    });
    const grantA = grantUntil(hourFromNow, 'a');
    const undelivered = await recordOnce(away, 'a', grantA);
    const lostGrant = await recordOnce(away, 'a', grantUntil(hourFromNow, 'a'));
    const expiring = await recordOnce(away, 'b', grantUntil(hourFromNow, 'b'));
    for (const status of [undelivered, lostGrant, expiring]) {
      assert.equal(status.state, 'done', status.error);
      assert.match((status.warnings ?? []).join('\n'), /ECONNREFUSED/, 'the failed upload is said');
    }
    await away.recorders.close();
    const podADir = `${dataDir}/pods/${scopeOf('a').podUid}`;
    const savedScope = await readFile(`${podADir}/${SCOPE_FILE}`, 'utf8');
    assert.doesNotMatch(savedScope, /key1\./, 'no grant is kept in the saved scope');
    const grantFile = `${recordingDir(dataDir, 'a', undelivered.id)}/${GRANT_FILE}`;
    assert.equal(await readFile(grantFile, 'utf8'), grantA, "the recording's grant is on disk");

    // What the restart finds: one grant lost (the agent died before it saved it), one past its expiry,
    // and a pod directory that names no pod.
    await rm(`${recordingDir(dataDir, 'a', lostGrant.id)}/${GRANT_FILE}`);
    const expiredAt = Date.now() - 1000;
    await writeFile(`${recordingDir(dataDir, 'b', expiring.id)}/${GRANT_FILE}`, grantUntil(expiredAt, 'b'));
    await mkdir(`${dataDir}/pods/debris/recordings/x`, { recursive: true });

    const back = await agentApp(t, { dataDir });
    await back.recorders.recover();
    const sent = await eventually(
      async () => {
        const mine = back.uploads.filter((u) => u.url.includes(`/recordings/${undelivered.id}`));
        return Promise.resolve(mine.length > undelivered.artifacts.length ? mine : undefined);
      },
      10_000,
      'the pending upload after the restart',
    );
    for (const upload of sent)
      assert.equal(upload.headers?.authorization, `Bearer ${grantA}`, `${upload.method} ${upload.url}`);
    const sentNames = sent.map((u) => new URL(u.url).pathname.split('/').pop());
    for (const name of undelivered.artifacts) assert.ok(sentNames.includes(name), `${name} was sent`);
    await eventually(
      async () =>
        (await journalOf(recordingDir(dataDir, 'a', undelivered.id))).upload === 'sent' ? true : undefined,
      10_000,
      'the journal to say the catalog has it',
    );

    const refused = [lostGrant.id, expiring.id];
    assert.deepEqual(
      back.uploads.filter((u) => refused.some((id) => u.url.includes(id))),
      [],
      'nothing is sent with a grant the server would refuse',
    );
    const lost = (
      await back.call('GET', `/recordings/${lostGrant.id}`, scopeOf('a'))
    ).json<RecordingStatus>();
    assert.match(lost.warnings?.join('\n') ?? '', /stopped before it saved this recording's upload grant/);
    const expired = (
      await back.call('GET', `/recordings/${expiring.id}`, scopeOf('b'))
    ).json<RecordingStatus>();
    const expiredWords = expired.warnings?.join('\n') ?? '';
    assert.match(
      expiredWords,
      new RegExp(`grant for this recording expired at ${new Date(expiredAt).toISOString()}`),
    );
    assert.match(expiredWords, /files stay on the node agent's disk/);
    assert.doesNotMatch(expiredWords, /ECONNREFUSED/, "the earlier attempt's words are replaced");
    for (const [pod, id] of [
      ['a', lostGrant.id],
      ['b', expiring.id],
    ] as const)
      assert.equal((await journalOf(recordingDir(dataDir, pod, id))).upload, 'refused');
    assert.equal(existsSync(`${dataDir}/pods/debris`), false, 'a pod directory that names no pod is removed');
    t.diagnostic(
      `after the restart: 1 delivered with its grant (${sent.length} requests), 2 refused in words, 1 stray directory removed`,
    );
  });
});
