// `furnace continuous <namespace>` against the server's user listener (in-process, listening on loopback;
// the Kubernetes API a fake at its boundary) through --server, which maps the same aggregated paths
// `kubectl furnace` sends through the API server: folded stacks with exact totals, an SVG and a pprof
// into new files (an existing file is never replaced), a 403 naming the permission, usage errors.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, it, type TestContext } from 'node:test';
import { runContinuous } from '../../../cli/continuous-verb.ts';
import { seedHour, startContinuousServer } from '../../harness/continuous-server.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

const START = Date.parse('2026-03-01T12:00:00Z');
const PODS = [
  { pod: 'web-1', workload: 'Deployment/web', folded: () => 'app;main;furnace_spin 3\n' },
  { pod: 'web-2', workload: 'Deployment/web', folded: () => 'app;main;furnace_serve 1\n' },
];

async function setUp(t: TestContext) {
  const kube = fakeKubeGateway({
    reviews: {
      'alice-token': { authenticated: true, username: 'alice', groups: [] },
      'carol-token': { authenticated: true, username: 'carol', groups: [] },
    },
    namespaces: { shop: { furnace: 'enabled' } },
    allows: (check) => check.user === 'alice',
  });
  const server = await startContinuousServer(t, { kube, ui: false });
  await seedHour(server.windows, START, PODS);
  const dir = await tempDir(t, 'furnace-cli-continuous-');
  await writeFile(join(dir, 'alice'), 'alice-token\n');
  await writeFile(join(dir, 'carol'), 'carol-token\n');
  async function run(user: string, ...args: string[]) {
    const [stdout, stderr] = [new PassThrough(), new PassThrough()];
    const out: string[] = [];
    const err: string[] = [];
    stdout.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
    stderr.on('data', (chunk: Buffer) => err.push(chunk.toString('utf8')));
    const argv = [...args, '--server', server.baseUrl, '--key-file', join(dir, user)];
    const code = await runContinuous(argv, { stdin: new PassThrough(), stdout, stderr });
    return { code, stdout: out.join(''), stderr: err.join('') };
  }
  return { run, dir };
}

const RANGE = ['--from', '2026-03-01T12:00:00Z', '--to', String(START + 3_600_000)];

describe('furnace continuous', () => {
  it('writes the merged folded stacks of a range, of a pod, and says how many windows and samples', async (t) => {
    const { run } = await setUp(t);
    const all = await run('alice', 'shop', ...RANGE);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, 'app;main;furnace_serve 240\napp;main;furnace_spin 720\n');
    assert.match(all.stderr, /480 windows, 960 samples of shop/);
    const one = await run('alice', 'shop', ...RANGE, '--pod', 'web-2');
    assert.equal(one.stdout, 'app;main;furnace_serve 240\n');
    const none = await run('alice', 'shop', '--since', '30m');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no samples \(0 windows.*is continuous profiling switched on/);
  });

  it('makes an SVG and a pprof into new files, and never replaces one', async (t) => {
    const { run, dir } = await setUp(t);
    const svg = join(dir, 'range.svg');
    assert.equal((await run('alice', 'shop', ...RANGE, '--format', 'svg', '-o', svg)).code, 0);
    const text = await readFile(svg, 'utf8');
    assert.match(text, /^<\?xml|^<svg/);
    assert.match(text, /furnace_spin/);
    const again = await run('alice', 'shop', ...RANGE, '--format', 'svg', '-o', svg);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists already; it was not replaced/);
    const pprof = join(dir, 'range.pb.gz');
    assert.equal((await run('alice', 'shop', ...RANGE, '--format', 'pprof', '-o', pprof)).code, 0);
    assert.ok(gunzipSync(await readFile(pprof)).includes('furnace_spin'));
    const toTerminal = await run('alice', 'shop', ...RANGE, '--format', 'pprof');
    assert.equal(toTerminal.code, 2);
    assert.match(toTerminal.stderr, /-o FILE/);
  });

  it('shows the server’s 403 naming the permission, and refuses bad options with exit 2', async (t) => {
    const { run } = await setUp(t);
    const refused = await run('carol', 'shop', ...RANGE);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /carol may not get recordings\.furnace\.hyperfoil\.io in namespace shop/);
    const both = await run('alice', 'shop', '--since', '1h', '--from', '2026-03-01T12:00:00Z');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--since .* takes no --from or --to/);
    const badTime = await run('alice', 'shop', '--from', 'yesterday');
    assert.match(badTime.stderr, /--from "yesterday" is not a time/);
    const format = await run('alice', 'shop', '--format', 'html');
    assert.match(format.stderr, /format "html" is not one of folded, svg, pprof/);
  });
});
