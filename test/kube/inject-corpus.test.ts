// `furnace inject` never turns a manifest the API server accepts into one it refuses. Every file of
// test/kube/inject-corpus (varied, realistic workloads) goes through `kubectl create --dry-run=server`
// as written, then through the real `furnace inject` process, then through kubectl again: accepted both
// times, with everything the server stored the first time still there the second time, as kubectl read it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { INJECTED_ANNOTATION, SIDECAR_CONTAINER_NAME } from '../../core/contract/names.ts';
import { execFile } from '../harness/child-processes.ts';
import { createNamespace, useCluster } from '../harness/cluster.ts';
import { assertNothingLost } from '../unit/core/injection-support.ts';

const CORPUS_DIR = join(import.meta.dirname, 'inject-corpus');
const CLI = join(import.meta.dirname, '..', '..', 'cli', 'bin.js');

const { cp, kc } = await useCluster();
const namespace = await createNamespace(kc, { prefix: 'inject-corpus' });

interface Stored {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: unknown;
}

function furnaceInject(input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, 'inject'], (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

// Values the API server makes up anew for every request: UIDs (also in a Job's selector labels) and the
// random suffix of the service-account token volume.
const UID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TOKEN_VOLUME = /kube-api-access-[a-z0-9]{5}/g;

/** What the API server would store, by `Kind/name`, without what differs on every request. */
async function createDryRun(manifest: string, what: string): Promise<Map<string, Stored>> {
  const result = await cp.kubectl(['create', '--dry-run=server', '-n', namespace, '-o', 'json', '-f', '-'], {
    input: manifest,
  });
  assert.equal(result.code, 0, `the API server refused ${what}:\n${result.stderr}`);
  const text = result.stdout.replace(UID, '<uid>').replace(TOKEN_VOLUME, 'kube-api-access');
  // One JSON object per created object, each opening with a "{" line of its own.
  const objects = text
    .split(/^(?=\{$)/m)
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => JSON.parse(chunk) as Stored & { status?: unknown });
  const byName = new Map<string, Stored>();
  for (const object of objects) {
    const metadata = object.metadata as Record<string, unknown>;
    for (const volatile of ['creationTimestamp', 'managedFields', 'generation']) delete metadata[volatile];
    // Computed by the server from the spec (a BestEffort pod's QoS class becomes Burstable with the
    // sidecar's requests): not part of the manifest.
    delete object.status;
    // Added by the ServiceAccount admission plugin after the pod's own volumes, so after the sidecar's
    // too: compared without it (its mounts stay, they come last in every container either way).
    const pod = podOf(object).spec;
    if (pod?.volumes) pod.volumes = pod.volumes.filter((v) => v.name !== 'kube-api-access');
    byName.set(`${object.kind}/${object.metadata.name}`, object);
  }
  return byName;
}

interface PodLike {
  metadata?: { annotations?: Record<string, string> };
  spec?: {
    containers?: { name: string }[];
    initContainers?: { name: string }[];
    volumes?: { name: string }[];
    shareProcessNamespace?: boolean;
  };
}

/** The pod (or pod template) inside a stored object, wherever its kind keeps it. */
function podOf(object: Stored): PodLike {
  if (object.kind === 'Pod') return object as PodLike;
  const spec = object.spec as
    { template?: PodLike; jobTemplate?: { spec?: { template?: PodLike } } } | undefined;
  return (object.kind === 'CronJob' ? spec?.jobTemplate?.spec?.template : spec?.template) ?? {};
}

function sidecarNames(object: Stored): string[] {
  const spec = podOf(object).spec ?? {};
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])]
    .map((c) => c.name)
    .filter((n) => n === SIDECAR_CONTAINER_NAME);
}

/** `# expect: Kind/name: injected` or `… not injected (reason)` lines at the top of a corpus file. */
function expectations(text: string): string[] {
  return [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1] ?? '');
}

describe('furnace inject keeps every manifest valid for the real API server', () => {
  const files = readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('has a varied corpus', () => {
    assert.ok(files.length >= 12, `only ${files.length} corpus files`);
  });

  for (const file of files) {
    it(file, async () => {
      const manifest = readFileSync(join(CORPUS_DIR, file), 'utf8');
      const before = await createDryRun(manifest, `${file} as written`);

      const injected = await furnaceInject(manifest);
      assert.equal(injected.code, 0, injected.stderr);
      const notes = injected.stderr.trimEnd().split('\n').filter(Boolean);
      const expected = expectations(manifest);
      assert.equal(notes.length, expected.length, `furnace inject said:\n${injected.stderr}`);
      for (const line of expected) {
        assert.ok(
          notes.some((n) => n.startsWith(`furnace inject: ${line}`)),
          `expected "${line}" in:\n${injected.stderr}`,
        );
      }

      const after = await createDryRun(injected.stdout, `${file} after furnace inject`);
      assert.deepEqual([...after.keys()], [...before.keys()]);
      for (const [name, original] of before) {
        const stored = after.get(name);
        assert.ok(stored);
        const injectedHere = expected.includes(`${name}: injected`);
        // The one field injection may change rather than add to (false → true, for the sidecar to see).
        if (injectedHere) delete podOf(original).spec?.shareProcessNamespace;
        // Everything the server stored for the manifest as written, it stores again: same values and
        // types (a quoted "yes" is still a string, 0400 is still 256).
        assertNothingLost(original, stored);
        assert.equal(sidecarNames(stored).length, injectedHere ? 1 : 0, `${name}: sidecar containers`);
        const marker = podOf(stored).metadata?.annotations?.[INJECTED_ANNOTATION];
        assert.equal(marker !== undefined, injectedHere, `${name}: marker annotation`);
      }
    });
  }
});
