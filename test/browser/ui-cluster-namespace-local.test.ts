// A cluster may have a namespace named `local`, the name local mode registers its recorder under: its pods
// get a cluster's controls, because the UI takes local mode from the server (the session's `local`), not
// from a namespace's name. The server's user listener in cluster mode, built in this process with a fake
// Kubernetes gateway at its boundary and a stand-in sidecar; real Chromium. Local mode's own controls:
// ui-baseline-pin.test.ts and ui-local-mode-baseline.test.ts, against the real local server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import { LOCAL_NAMESPACE } from '../../core/contract/names.ts';
import type { CatalogEntry } from '../../core/contract/recording.ts';
import { registerSidecar, startFakeSidecar } from '../app/server/server-fixture.ts';
import { withPage } from '../harness/browser.ts';
import { fakeKubeGateway } from '../harness/fake-kube-gateway.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import { bearer, putStatus } from '../harness/server-calls.ts';
import { startUiFixtureServer, type UiFixtureServer } from '../harness/ui-fixture-server.ts';

const POD = 'web-7d9f8c6b5-x2k4q';

/** A cluster-mode server with a stand-in sidecar of local/web-7d9f8c6b5-x2k4q and its finished recording v1. */
async function clusterWithNamespaceLocal(t: Parameters<typeof startUiFixtureServer>[0]) {
  const server = await startUiFixtureServer(t, {
    kube: fakeKubeGateway({ namespaces: { [LOCAL_NAMESPACE]: { furnace: 'enabled' } } }),
  });
  const sidecar = await startFakeSidecar(t);
  const { recorder } = server.fixture;
  const { uploadToken } = registerSidecar(server.fixture, LOCAL_NAMESPACE, POD, sidecar.port);
  const status = finishedRecordingStatus('v1', { artifacts: ['stacks.folded'] });
  assert.equal((await putStatus(recorder, uploadToken, status)).statusCode, 200);
  const upload = await recorder.inject({
    method: 'PUT',
    url: '/api/v1/recordings/v1/artifacts/stacks.folded',
    headers: { ...bearer(uploadToken), 'content-type': 'text/plain' },
    payload: 'web;main;furnace_serve 40\nweb;main;furnace_idle 2\n',
  });
  assert.equal(upload.statusCode, 201, upload.body);
  return server;
}

async function baselineOf(server: UiFixtureServer, id: string): Promise<string | undefined> {
  const answer = await server.fixture.app.inject({ method: 'GET', url: `/api/v1/recordings/${id}` });
  return answer.json<CatalogEntry>().baselineOf;
}

const optionDisabled = (page: Page, select: string, value: string): Promise<boolean> =>
  page
    .getByLabel(select)
    .locator(`option[value="${value}"]`)
    .evaluate((option) => (option as HTMLOptionElement).disabled);

describe('a cluster’s namespace named local (in-process cluster-mode server, fake kube gateway, stand-in sidecar; chromium)', () => {
  it('pins a recording of a pod there for its Deployment, as any cluster pod', async (t) => {
    const server = await clusterWithNamespaceLocal(t);
    await withPage(t, async (page) => {
      await page.goto(`${server.baseUrl}/recordings/v1`);
      const form = page.getByRole('form', { name: 'Baseline' });
      await form.waitFor();
      assert.equal(await form.getByLabel('Workload kind').count(), 1, 'a cluster’s pin names a workload');
      assert.equal(await form.getByLabel('Workload name').inputValue(), 'web', 'proposed from the pod');
      assert.equal(await form.getByLabel('Workload kind').inputValue(), 'deployment');
      assert.equal(
        await form.getByRole('button', { name: /Pin as baseline for/ }).count(),
        0,
        'no local mode program pin in a cluster',
      );
      await form.getByRole('button', { name: 'Pin as baseline', exact: true }).click();
      await page
        .getByRole('group', { name: 'Baseline' })
        .getByText('Pinned as the baseline of deployment/web')
        .waitFor();
    });
    assert.equal(await baselineOf(server, 'v1'), 'deployment/web');
  });

  it('records a pod there with a cluster’s form: no PID, symbols from the container image allowed', async (t) => {
    const server = await clusterWithNamespaceLocal(t);
    await withPage(t, async (page) => {
      await page.goto(server.baseUrl);
      await page.getByRole('heading', { name: `Record ${LOCAL_NAMESPACE}/${POD}` }).waitFor();
      assert.equal(await page.getByLabel('Namespace').inputValue(), LOCAL_NAMESPACE);
      assert.equal(await page.getByLabel('PID').count(), 0, 'a PID is local mode’s');
      assert.equal(await page.getByText(/^Local mode:/).count(), 0, 'no local mode hint');
      assert.equal(await optionDisabled(page, 'Symbol source', 'image'), false, 'the image is there to read');
      // The stand-in sidecar's processes, before any pattern: the form asks the pod, as for any cluster pod.
      await page.getByText('/bin/hot --busy').waitFor();
    });
  });
});
