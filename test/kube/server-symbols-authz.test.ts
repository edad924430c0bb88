// Who may upload a namespace's symbol files, and whose files a recorder gets, decided by the real API
// server: TokenReview of users' and pods' service-account tokens, SubjectAccessReview against the rules
// deploy/ installs (furnace-recorder may upload and delete in its namespace, furnace-viewer only lists),
// and two pods' sidecars registered with bound tokens: each reads its own namespace's file of a build id
// that both namespaces uploaded, never the other's.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { SymbolList, SymbolUpload } from '../../core/contract/symbols.ts';
import { USER_ROLE_RULES } from '../../deploy/manifests/user-roles.ts';
import { createNamespace, createUser, useCluster } from '../harness/cluster.ts';
import { buildSameBuildIdPair, hotFunctionsOf } from '../harness/stripped-programs.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { buildKubeServer, registerPodSidecar, type KubeServer } from './server-kube-fixture.ts';

const { kc } = await useCluster();
const BUILD_ID = 'c0ffee00'.repeat(5);

function upload(server: KubeServer, token: string, namespace: string, body: Buffer) {
  return server.app.inject({
    method: 'POST',
    url: `/api/v1/symbols?namespace=${namespace}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    payload: body,
  });
}

describe('symbol files of namespaces against a real API server', () => {
  it('lets furnace-recorder upload in its namespace only, furnace-viewer list, and gives each pod its own namespace’s file', async (t) => {
    const dir = await tempDir(t, 'furnace-kube-symbols-');
    const { own, forged } = await buildSameBuildIdPair(dir, BUILD_ID);
    const server = await buildKubeServer(t, kc);
    const [teamA, teamB] = [
      await createNamespace(kc, { enabled: true }),
      await createNamespace(kc, { enabled: true }),
    ];
    const olga = await createUser(kc, { name: 'olga', namespace: teamA, rules: USER_ROLE_RULES.recorder });
    const vera = await createUser(kc, { name: 'vera', namespace: teamA, rules: USER_ROLE_RULES.viewer });
    const bruno = await createUser(kc, { name: 'bruno', namespace: teamB, rules: USER_ROLE_RULES.recorder });
    const ownFile = await readFile(own.debugFile);

    const byViewer = await upload(server, vera.token, teamA, ownFile);
    assert.equal(byViewer.statusCode, 403, byViewer.body);
    assert.match(byViewer.json<{ message: string }>().message, /may not create recordings\/symbols/);
    const byOtherTeam = await upload(server, bruno.token, teamA, ownFile);
    assert.equal(byOtherTeam.statusCode, 403, byOtherTeam.body);
    const byOwner = await upload(server, olga.token, teamA, ownFile);
    assert.equal(byOwner.statusCode, 201, byOwner.body);
    assert.equal(byOwner.json<SymbolUpload>().buildId, BUILD_ID);
    const shadow = await upload(server, bruno.token, teamB, await readFile(forged.debugFile));
    assert.equal(shadow.statusCode, 201, shadow.body);

    const listed = await server.app.inject({
      url: `/api/v1/symbols?namespace=${teamA}`,
      headers: { authorization: `Bearer ${vera.token}` },
    });
    assert.equal(listed.statusCode, 200, listed.body);
    assert.deepEqual(
      listed.json<SymbolList>().items.map((item) => item.buildId),
      [BUILD_ID],
    );

    for (const [namespace, expected] of [
      [teamA, ['furnace_heavy', 'furnace_light']],
      [teamB, ['tenant_b_heavy', 'tenant_b_light']],
    ] as const) {
      const { uploadToken } = await registerPodSidecar(server, kc, namespace);
      const read = await server.recorder.inject({
        url: `/api/v1/recordings/rec-1/symbols/buildid/${BUILD_ID}/debuginfo`,
        headers: { authorization: `Bearer ${uploadToken}` },
      });
      assert.equal(read.statusCode, 200, read.body);
      const path = `${dir}/${namespace}.debug`;
      await writeFile(path, read.rawPayload);
      assert.deepEqual(await hotFunctionsOf(path), expected, `the file ${namespace}'s recorder gets`);
    }

    const deleted = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/symbols/${BUILD_ID}?namespace=${teamA}`,
      headers: { authorization: `Bearer ${vera.token}` },
    });
    assert.equal(deleted.statusCode, 403, deleted.body);
  });
});
