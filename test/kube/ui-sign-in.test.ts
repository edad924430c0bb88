// The web UI in auth mode kubernetes against the real API server: sign-in with a token (TokenReview),
// only the namespaces the user may see, and the 403 message for a recording in another namespace.
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildUi } from '../../ui/build.ts';
import { withPage } from '../harness/browser.ts';
import { createNamespace, createUser, useCluster } from '../harness/cluster.ts';
import { screenshot } from '../browser/flame-page.ts';
import { buildKubeServer, registerPodSidecar } from './server-kube-fixture.ts';

const { kc } = await useCluster();

describe('web UI with auth mode kubernetes (real API server, chromium)', () => {
  it('signs in with a token, lists only permitted namespaces, shows the 403 message and hides other namespaces’ recordings', async (t) => {
    await buildUi();
    const server = await buildKubeServer(t, kc);
    const nsA = await createNamespace(kc, { enabled: true });
    const nsB = await createNamespace(kc, { enabled: true });
    for (const namespace of [nsA, nsB]) {
      const { uploadToken } = await registerPodSidecar(server, kc, namespace);
      const uploaded = await server.recorder.inject({
        method: 'PUT',
        url: `/api/v1/recordings/rec-${namespace}`,
        headers: { authorization: `Bearer ${uploadToken}` },
        payload: finishedRecordingStatus(`rec-${namespace}`, {
          targets: [],
          startedAt: new Date().toISOString(),
          artifacts: [],
        }),
      });
      assert.equal(uploaded.statusCode, 200, uploaded.body);
    }
    const alice = await createUser(kc, {
      name: 'alice',
      namespace: nsA,
      rules: [{ apiGroups: ['furnace.hyperfoil.io'], resources: ['recordings'], verbs: ['get', 'list'] }],
    });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const address = server.app.server.address();
    const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    await withPage(t, async (page) => {
      await page.goto(baseUrl);
      const token = page.getByLabel('Token');
      await token.fill('not-a-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('the token was not accepted by the Kubernetes API server').waitFor();
      await screenshot(page, 'sign-in');

      await token.fill(alice.token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(`Signed in as ${alice.username}`).waitFor();
      assert.equal(await page.evaluate(() => document.cookie), '', 'no script can read the session cookie');
      // The list arrives after the sign-in line (one SubjectAccessReview per namespace): read it once there.
      const options = page.getByLabel('Namespace').locator('option');
      await options.filter({ hasText: nsA }).waitFor({ state: 'attached' });
      const namespaces = await options.allTextContents();
      assert.deepEqual(namespaces.slice(1), [nsA], 'only the namespace alice may see');

      // Alice may read namespace A but not record there: the server's 403 names what is missing.
      await page.getByLabel('Pod').selectOption('web');
      await page.getByRole('button', { name: 'Start recording' }).click();
      assert.match(
        (await page.locator('.action-error').textContent({ timeout: 30_000 })) ?? '',
        new RegExp(
          `${alice.username} may not create recordings\\.furnace\\.hyperfoil\\.io in namespace ${nsA}`,
        ),
      );
      // A recording in a namespace she may not read is not even said to exist.
      await page.goto(`${baseUrl}/recordings/rec-${nsB}`);
      await page.getByRole('heading', { name: 'Not found' }).waitFor();
      await screenshot(page, 'forbidden');
      await page.getByRole('link', { name: 'History' }).click();
      const rows = page.getByRole('table', { name: 'Recordings' }).getByRole('link');
      await rows.first().waitFor();
      assert.deepEqual(await rows.allTextContents(), [`rec-${nsA}`]);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Token').waitFor();
    });
  });
});
