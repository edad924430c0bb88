// test/background-builds.sh, which CI and test/run.sh use to build the tiers' Go programs and images beside
// other work: a step that was built answers its directory at the join, a failed one stops the join with the
// end of its own log, and a step no tier asked for is named as such. The real build script runs each time,
// against a cache directory of the test's own and a Go module proxy on a closed loopback port (no network).
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { execFile } from '../../harness/child-processes.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

const run = promisify(execFile);
const SCRIPT = join(PROJECT_ROOT, 'test/background-builds.sh');
const VERSION = 'v0.0.0-furnace-test';

async function scratch(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'furnace-background-builds-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const env = {
    ...process.env,
    FURNACE_TEST_CACHE: join(dir, 'cache'),
    FURNACE_VERSITYGW_VERSION: VERSION,
    GOPROXY: 'http://127.0.0.1:9',
  };
  const builds = join(dir, 'builds');
  const start = (...tiers: string[]) => run('bash', [SCRIPT, 'start', builds, ...tiers], { env });
  const join_ = (step: string) => run('bash', [SCRIPT, 'join', builds, step], { env });
  return { dir, env, start, join: join_ };
}

test('a step already in the cache answers its directory at the join', async (t) => {
  const s = await scratch(t);
  const binDir = join(s.dir, 'cache', `versitygw-${VERSION}`);
  await mkdir(binDir, { recursive: true });
  await writeFile(join(binDir, 'versitygw'), '#!/bin/sh\n');
  await chmod(join(binDir, 'versitygw'), 0o755);
  await s.start('unit', 'app');
  const { stdout, stderr } = await s.join('s3');
  assert.equal(stdout.trim(), binDir);
  assert.match(stderr, /s3 ready \(\d+ s to build, \d+ s waited for\)/);
});

test('a failed step stops the join with its log and exit code', async (t) => {
  const s = await scratch(t);
  await s.start('app');
  const failure = await s.join('s3').then(
    () => assert.fail('the join of a failed build succeeded'),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(failure.code, 1);
  assert.match(failure.stderr, /cannot fetch http:\/\/127\.0\.0\.1:9\/github\.com\/versity\/versitygw/);
  assert.match(
    failure.stderr,
    /the background build of s3 \(test\/harness\/build-s3-server\.sh\) failed with exit code 1; .*s3\.log/,
  );
});

test('a step the started tiers do not need is named at its join', async (t) => {
  const s = await scratch(t);
  await s.start('unit');
  await assert.rejects(s.join('k8s'), (error: { stderr: string }) => {
    assert.match(error.stderr, /k8s was not started in .* \(start it with the tiers that need it\)/);
    return true;
  });
});
