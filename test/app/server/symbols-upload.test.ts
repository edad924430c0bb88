// A namespace's symbol files on a real server app (a fake Kubernetes gateway answers the token and access
// reviews): the debug file of a stripped C program (gcc, objcopy --only-keep-debug, strip) is uploaded,
// listed, kept once per build id, capped, refused without a build id or a symbol table, refused to users
// without recordings/symbols, and read by the recorder of that namespace only: another namespace's upload
// of the same build id never reaches it. The recorder's side is the sidecar's own source
// (uploadedSymbols over serverFetch) against the recorder listener on loopback.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { AGGREGATED_PREFIX } from '../../../core/contract/aggregated-api.ts';
import { recordingSymbolsBase, type SymbolList, type SymbolUpload } from '../../../core/contract/symbols.ts';
import type { AccessCheck } from '../../../server/kube/kube-gateway.ts';
import { serverFetch } from '../../../sidecar/server-link/server-fetch.ts';
import { readElfFacts } from '../../../sidecar/symbols/elf-facts.ts';
import { uploadedSymbols } from '../../../sidecar/symbols/uploaded-symbols.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { buildHotProgram } from '../../harness/hot-program.ts';
import {
  buildSameBuildIdPair,
  hotFunctionsOf,
  type StrippedProgram,
} from '../../harness/stripped-programs.ts';
import { tempDir } from '../../harness/temp-dirs.ts';
import { eventually } from '../../harness/eventually.ts';
import { MAX_UPLOADS_AT_ONCE } from '../../../server/symbols/symbol-files.ts';
import { buildFixture, registerSidecar, type Fixture, type FixtureOptions } from './server-fixture.ts';

const users = {
  'owner-token': { authenticated: true, username: 'olga', groups: [] },
  'other-owner-token': { authenticated: true, username: 'bruno', groups: [] },
  'viewer-token': { authenticated: true, username: 'vera', groups: [] },
};

/** olga records (and so uploads) in team-a, bruno in team-b, vera may only view team-a. */
function allows(check: AccessCheck): boolean {
  const own = { olga: 'team-a', bruno: 'team-b' }[check.user];
  if (own !== undefined) return check.namespace === own;
  return check.user === 'vera' && check.namespace === 'team-a' && check.verb === 'get';
}

/** One build id for both teams' programs: what a tenant would need to shadow another's symbols. */
const SHARED_BUILD_ID = 'f00dfeed'.repeat(5);

interface Programs {
  a: StrippedProgram;
  /** Another program, its functions named otherwise, under the same build id as `a`. */
  b: StrippedProgram;
  /** A binary linked without a build id. */
  noBuildId: string;
}

async function buildPrograms(t: TestContext): Promise<Programs> {
  const dir = await tempDir(t, 'furnace-symbols-');
  const { own, forged } = await buildSameBuildIdPair(dir, SHARED_BUILD_ID);
  const noBuildId = await buildHotProgram(dir, ['-g', '-Wl,--build-id=none'], 'no-build-id');
  return { a: own, b: forged, noBuildId };
}

async function setUp(t: TestContext, options: FixtureOptions = {}) {
  const kube = fakeKubeGateway({ reviews: users, allows });
  const f = await buildFixture(t, { authMode: 'kubernetes', kube, registration: 'local', ...options });
  return { f, kube };
}

function upload(f: Fixture, token: string, namespace: string, body: Buffer | Readable) {
  return f.app.inject({
    method: 'POST',
    url: `/api/v1/symbols?namespace=${namespace}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    payload: body,
  });
}

function list(f: Fixture, token: string, namespace: string) {
  return f.app.inject({
    method: 'GET',
    url: `${AGGREGATED_PREFIX}/namespaces/${namespace}/symbols`,
    headers: { authorization: `Bearer ${token}` },
  });
}

const listening = new WeakMap<Fixture, Promise<string>>();

async function recorderSource(t: TestContext, f: Fixture, uploadToken: string) {
  const address = listening.get(f) ?? f.recorder.listen({ port: 0, host: '127.0.0.1' });
  listening.set(f, address);
  const dir = await tempDir(t, 'furnace-uploaded-');
  return uploadedSymbols({
    base: recordingSymbolsBase(await address, 'rec-1'),
    dir,
    maxBytes: 64 * 1024 * 1024,
    timeoutMs: 10_000,
    free: () => Promise.resolve(1024 * 1024 * 1024),
    fetch: serverFetch({ token: () => uploadToken, readCa: () => Promise.resolve(undefined) }),
  });
}

describe('symbol files uploaded to a namespace (fake Kubernetes gateway)', () => {
  it('keeps the debug file of a stripped program by the build id read from it, once, and lists it', async (t) => {
    const { a } = await buildPrograms(t);
    const { f } = await setUp(t);
    const body = await readFile(a.debugFile);
    const first = await upload(f, 'owner-token', 'team-a', body);
    assert.equal(first.statusCode, 201, first.body);
    const kept = first.json<SymbolUpload>();
    assert.equal(kept.buildId, a.buildId);
    assert.equal(kept.buildId, SHARED_BUILD_ID);
    assert.deepEqual([kept.namespace, kept.bytes, kept.stored], ['team-a', body.length, true]);
    const again = await upload(f, 'owner-token', 'team-a', body);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json<SymbolUpload>().stored, false);
    const listed = await list(f, 'viewer-token', 'team-a');
    assert.equal(listed.statusCode, 200, listed.body);
    const page = listed.json<SymbolList>();
    assert.deepEqual(
      page.items.map((item) => [item.buildId, item.bytes]),
      [[a.buildId, body.length]],
    );
    assert.equal(page.bytes, body.length);
    const audit = f.logLines().filter((line) => JSON.stringify(line).includes('upload-symbols'));
    assert.equal(audit.length, 2, 'an audit line per upload');
  });

  it('answers 413 naming symbols.maxBytes for a file over it, declared or streamed', async (t) => {
    const { a } = await buildPrograms(t);
    const body = await readFile(a.debugFile);
    const maxBytes = Math.floor(body.length / 2);
    const { f } = await setUp(t, { symbols: { maxBytes } });
    const declared = await upload(f, 'owner-token', 'team-a', body);
    assert.equal(declared.statusCode, 413, declared.body);
    assert.match(
      declared.json<{ message: string }>().message,
      new RegExp(`limit of ${maxBytes} bytes \\(symbols\\.maxBytes\\)`),
    );
    const streamed = await upload(
      f,
      'owner-token',
      'team-a',
      Readable.from([body.subarray(0, maxBytes - 10), body.subarray(maxBytes - 10)]),
    );
    assert.equal(streamed.statusCode, 413, streamed.body);
    assert.match(streamed.json<{ message: string }>().message, /symbols\.maxBytes/);
    assert.deepEqual((await f.symbols.list('team-a')).items, []);
  });

  it('answers 429 to an upload beyond the most received at once, and takes uploads again once they end', async (t) => {
    const { a } = await buildPrograms(t);
    const { f } = await setUp(t);
    const body = await readFile(a.debugFile);
    // Over real sockets: each body's first bytes arrive, the rest waits until the test sends it.
    const address = await f.app.listen({ port: 0, host: '127.0.0.1' });
    const stalled = Array.from({ length: MAX_UPLOADS_AT_ONCE }, () =>
      request(`${address}/api/v1/symbols?namespace=team-a`, {
        method: 'POST',
        headers: { authorization: 'Bearer owner-token', 'content-type': 'application/octet-stream' },
      }),
    );
    const pending = stalled.map(
      (sent) =>
        new Promise<number>((resolve, reject) => {
          sent.on('response', (answer) => {
            answer.resume();
            resolve(answer.statusCode ?? 0);
          });
          sent.on('error', reject);
          sent.write(body.subarray(0, 100));
        }),
    );
    // Each upload in flight writes its body to a temp file of its own.
    await eventually(
      async () =>
        (await readdir(join(f.dataDir, 'symbols-tmp'))).length === stalled.length ? true : undefined,
      10_000,
      'the uploads to be in flight',
      20,
    );
    const refused = await upload(f, 'owner-token', 'team-a', body);
    assert.equal(refused.statusCode, 429, refused.body);
    assert.match(refused.json<{ message: string }>().message, /being uploaded, the most at once \(4\)/);
    assert.equal(refused.headers['retry-after'], '5');
    for (const sent of stalled) sent.end(body.subarray(100));
    const answers = (await Promise.all(pending)).sort();
    assert.deepEqual(answers, [200, 200, 200, 201]);
    assert.equal((await upload(f, 'owner-token', 'team-a', body)).statusCode, 200, 'taken again');
  });

  it('refuses a binary without a build id, a stripped one, and files that are not ELF or lie about their sections', async (t) => {
    const programs = await buildPrograms(t);
    const { f } = await setUp(t);
    const noId = await upload(f, 'owner-token', 'team-a', await readFile(programs.noBuildId));
    assert.equal(noId.statusCode, 400, noId.body);
    assert.match(
      noId.json<{ message: string }>().message,
      /no GNU build id \(no \.note\.gnu\.build-id note\)/,
    );
    const stripped = await upload(f, 'owner-token', 'team-a', await readFile(programs.a.program));
    assert.equal(stripped.statusCode, 400, stripped.body);
    assert.match(stripped.json<{ message: string }>().message, /has no symbol table \(\.symtab\)/);
    const text = await upload(
      f,
      'owner-token',
      'team-a',
      Buffer.from('#!/bin/sh\necho not elf\n'.repeat(10)),
    );
    assert.equal(text.statusCode, 400, text.body);
    assert.match(text.json<{ message: string }>().message, /not an ELF file/);
    // A real header whose section table points far past the end of the file.
    const lying = Buffer.from(await readFile(programs.a.debugFile));
    lying.writeBigUInt64LE(BigInt(Number.MAX_SAFE_INTEGER), 0x28);
    const hostile = await upload(f, 'owner-token', 'team-a', lying);
    assert.equal(hostile.statusCode, 400, hostile.body);
    assert.match(hostile.json<{ message: string }>().message, /no GNU build id/);
    assert.deepEqual((await f.symbols.list('team-a')).items, []);
  });

  it('answers 403 naming recordings/symbols to a viewer and to another namespace’s owner, and 400 to a name that is no namespace or build id', async (t) => {
    const { a } = await buildPrograms(t);
    const { f, kube } = await setUp(t);
    const body = await readFile(a.debugFile);
    const viewer = await upload(f, 'viewer-token', 'team-a', body);
    assert.equal(viewer.statusCode, 403, viewer.body);
    assert.match(
      viewer.json<{ message: string }>().message,
      /vera may not create recordings\/symbols.*furnace-recorder/,
    );
    const other = await upload(f, 'other-owner-token', 'team-a', body);
    assert.equal(other.statusCode, 403, other.body);
    assert.ok(kube.checks.some((c) => c.subresource === 'symbols' && c.verb === 'create'));
    assert.equal((await list(f, 'other-owner-token', 'team-a')).statusCode, 403);
    assert.deepEqual((await f.symbols.list('team-a')).items, []);
    assert.equal((await upload(f, 'owner-token', 'team-a', body)).statusCode, 201);
    const deleted = await f.app.inject({
      method: 'DELETE',
      url: `/api/v1/symbols/${a.buildId}?namespace=team-a`,
      headers: { authorization: 'Bearer viewer-token' },
    });
    assert.equal(deleted.statusCode, 403, deleted.body);
    assert.equal((await f.symbols.list('team-a')).items.length, 1);
    const climbing = await upload(f, 'owner-token', '..%2Fteam-b', body);
    assert.equal(climbing.statusCode, 400, climbing.body);
    const traversal = await f.app.inject({
      method: 'DELETE',
      url: `/api/v1/symbols/..%2F..%2F${a.buildId}?namespace=team-a`,
      headers: { authorization: 'Bearer owner-token' },
    });
    assert.equal(traversal.statusCode, 400, traversal.body);
    assert.equal((await f.symbols.list('team-a')).items.length, 1);
  });

  it("gives each namespace's recorder its own namespace's file: team b's upload of the same build id does not change team a's", async (t) => {
    const { a, b } = await buildPrograms(t);
    assert.equal(a.buildId, b.buildId);
    const { f } = await setUp(t);
    assert.equal((await upload(f, 'owner-token', 'team-a', await readFile(a.debugFile))).statusCode, 201);
    const teamA = registerSidecar(f, 'team-a', 'web-1', 1);
    const teamB = registerSidecar(f, 'team-b', 'web-1', 2);
    const teamC = registerSidecar(f, 'team-c', 'web-1', 3);
    const source = await recorderSource(t, f, teamA.uploadToken);
    const before = await source.find(a.buildId);
    assert.ok(before.found, JSON.stringify(before));
    assert.deepEqual(await hotFunctionsOf(before.path), ['furnace_heavy', 'furnace_light']);
    assert.equal(
      (await upload(f, 'other-owner-token', 'team-b', await readFile(b.debugFile))).statusCode,
      201,
    );
    const again = await (await recorderSource(t, f, teamA.uploadToken)).find(a.buildId);
    assert.ok(again.found);
    assert.deepEqual(await hotFunctionsOf(again.path), ['furnace_heavy', 'furnace_light']);
    const fromB = await (await recorderSource(t, f, teamB.uploadToken)).find(b.buildId);
    assert.ok(fromB.found);
    assert.deepEqual(await hotFunctionsOf(fromB.path), ['tenant_b_heavy', 'tenant_b_light']);
    const fromC = await (await recorderSource(t, f, teamC.uploadToken)).find(a.buildId);
    assert.equal(fromC.found, false);
    assert.match(fromC.found ? '' : fromC.why, /^not uploaded to the namespace$/);
    const unknown = await (await recorderSource(t, f, 'not-a-token')).find(a.buildId);
    assert.match(unknown.found ? '' : unknown.why, /HTTP 401/);
  });

  it('deletes a file and removes it symbols.maxAgeSeconds after its upload: the recorder no longer gets it', async (t) => {
    const { a } = await buildPrograms(t);
    const { f } = await setUp(t, { symbols: { maxAgeSeconds: 3600 } });
    const teamA = registerSidecar(f, 'team-a', 'web-1', 1);
    const body = await readFile(a.debugFile);
    assert.equal((await upload(f, 'owner-token', 'team-a', body)).statusCode, 201);
    const deleted = await f.app.inject({
      method: 'DELETE',
      url: `${AGGREGATED_PREFIX}/namespaces/team-a/symbols/${a.buildId}`,
      headers: { authorization: 'Bearer owner-token' },
    });
    assert.equal(deleted.statusCode, 204, deleted.body);
    assert.equal((await (await recorderSource(t, f, teamA.uploadToken)).find(a.buildId)).found, false);
    const again = await upload(f, 'owner-token', 'team-a', body);
    assert.equal(again.statusCode, 201, `a deleted build id may come again: ${again.body}`);
    const kept = await list(f, 'owner-token', 'team-a');
    assert.equal(
      kept.json<SymbolList>().items[0]?.expiresAt,
      new Date(Date.parse('2026-03-01T12:00:00Z') + 3600_000).toISOString(),
    );
    f.advance(3600);
    assert.deepEqual((await list(f, 'owner-token', 'team-a')).json<SymbolList>().items, []);
    assert.equal((await (await recorderSource(t, f, teamA.uploadToken)).find(a.buildId)).found, false);
    assert.equal(await f.symbols.removeExpired(), 1);
    const facts = await readElfFacts(a.debugFile);
    assert.equal(facts.buildId, a.buildId, 'the test file itself is untouched');
  });
});
