// A continuous Recording's reconcile against a fake server client and a fake Kubernetes edge (the kube
// tier runs the real ones: test/kube/operator-continuous-recording.test.ts): the finalizer comes before
// the selection, a selection the server lost is put back, and the finalizer goes only after the server
// answered the switch-off with 204 or 404.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CONTINUOUS_FINALIZER,
  describeSelectionFailure,
  reconcileContinuous,
  selectionBody,
  type ContinuousDeps,
} from '../../../operator/recording/continuous.ts';
import type { Recording } from '../../../operator/recording/recording-types.ts';
import type { SelectionBody, SelectionView } from '../../../operator/recording/server-client.ts';
import { ServerCallError } from '../../../operator/recording/server-errors.ts';

function recordingOf(extra: Partial<Recording['metadata']> = {}): Recording {
  return {
    metadata: {
      name: 'always',
      namespace: 'shop',
      generation: 1,
      creationTimestamp: '2026-03-01T11:00:00Z',
      ...extra,
    },
    spec: { target: { selector: { matchLabels: { app: 'web' } } }, container: 'app', continuous: {} },
  };
}

/** The server's selections in a map, and the Recording's finalizers and status as the API would keep them. */
function world(recording: Recording, options: { deleteAnswer?: number; checkSince?: string | null } = {}) {
  // The check was installed an hour before the Recording unless told otherwise (null: not installed).
  const checkSince = options.checkSince === undefined ? '2026-03-01T10:00:00Z' : options.checkSince;
  const selections = new Map<string, SelectionView>();
  const calls: string[] = [];
  const deps: ContinuousDeps = {
    now: () => Date.parse('2026-03-01T12:00:00Z'),
    kube: {
      targetPods: () => Promise.reject(new Error('a continuous Recording never lists pods')),
      writeStatus: (_r, status) => {
        recording.status = status;
        return Promise.resolve();
      },
      continuousCheckSince: () => Promise.resolve(checkSince === null ? undefined : Date.parse(checkSince)),
      setFinalizers: (_r, finalizers) => {
        calls.push(`finalizers ${finalizers.join(',')}`);
        recording.metadata.finalizers = finalizers;
        return Promise.resolve();
      },
    },
    server: {
      startRecording: () => Promise.reject(new Error('no recording')),
      getRecording: () => Promise.reject(new Error('no recording')),
      stopRecording: () => Promise.resolve(),
      getCatalogEntry: () => Promise.resolve(undefined),
      readArtifact: () => Promise.reject(new Error('no artifact')),
      deleteRecording: () => Promise.resolve(),
      listBaselines: () => Promise.reject(new Error('no baseline for a continuous Recording')),
      putSelection: (namespace: string, name: string, body: SelectionBody) => {
        calls.push(`PUT ${namespace}/${name}`);
        const view = { namespace, name, ...body, frequency: body.frequency ?? 19 };
        selections.set(`${namespace}/${name}`, view);
        return Promise.resolve(view);
      },
      listSelections: () => Promise.resolve([...selections.values()]),
      deleteSelection: (namespace: string, name: string) => {
        calls.push(`DELETE ${namespace}/${name}`);
        if (options.deleteAnswer && options.deleteAnswer >= 500)
          return Promise.reject(new ServerCallError(options.deleteAnswer, undefined, 'unavailable'));
        return Promise.resolve(selections.delete(`${namespace}/${name}`));
      },
    },
  };
  return { deps, selections, calls };
}

describe('a continuous Recording’s reconcile', () => {
  it('adds the finalizer, then switches the selection on, and says so in the status', async () => {
    const recording = recordingOf();
    const { deps, selections, calls } = world(recording);
    const outcome = await reconcileContinuous(deps, recording);
    assert.deepEqual(calls, [`finalizers ${CONTINUOUS_FINALIZER}`, 'PUT shop/always']);
    assert.deepEqual(selections.get('shop/always')?.selector, { matchLabels: { app: 'web' } });
    assert.deepEqual(selections.get('shop/always')?.containers, ['app']);
    assert.equal(recording.status?.phase, 'Continuous');
    assert.deepEqual(recording.status?.continuous, {
      since: '2026-03-01T12:00:00.000Z',
      frequency: 19,
      links: {
        ui: '/continuous?ns=shop&container=app',
        stacks: '/api/v1/continuous/stacks?namespace=shop&container=app',
      },
    });
    assert.ok((outcome.requeueAfterMs ?? 0) > 0, 'looked at again: a restarted server forgets selections');
  });

  it('leaves a selection that is there alone, and puts back one the server lost', async () => {
    const recording = recordingOf();
    const { deps, selections, calls } = world(recording);
    await reconcileContinuous(deps, recording);
    await reconcileContinuous(deps, recording);
    assert.equal(calls.filter((c) => c.startsWith('PUT')).length, 1);
    selections.clear();
    await reconcileContinuous(deps, recording);
    assert.equal(calls.filter((c) => c.startsWith('PUT')).length, 2);
    assert.ok(selections.has('shop/always'));
    assert.equal(recording.status?.continuous?.since, '2026-03-01T12:00:00.000Z');
  });

  it('switches it off when deleted, then removes its finalizer (also when the server had none)', async () => {
    const recording = recordingOf();
    const { deps, selections, calls } = world(recording);
    await reconcileContinuous(deps, recording);
    recording.metadata.deletionTimestamp = '2026-03-01T12:05:00Z';
    await reconcileContinuous(deps, recording);
    assert.equal(selections.size, 0);
    assert.deepEqual(calls.slice(-2), ['DELETE shop/always', 'finalizers ']);
    const again = recordingOf({
      finalizers: [CONTINUOUS_FINALIZER],
      deletionTimestamp: '2026-03-01T12:05:00Z',
    });
    const second = world(again);
    await reconcileContinuous(second.deps, again);
    assert.deepEqual(again.metadata.finalizers, [], 'a 404 from the server lets the Recording go too');
  });

  it('keeps the finalizer while the server cannot switch the selection off', async () => {
    const recording = recordingOf({
      finalizers: [CONTINUOUS_FINALIZER],
      deletionTimestamp: '2026-03-01T12:05:00Z',
    });
    const { deps } = world(recording, { deleteAnswer: 503 });
    await assert.rejects(reconcileContinuous(deps, recording), /unavailable/);
    assert.deepEqual(recording.metadata.finalizers, [CONTINUOUS_FINALIZER]);
  });

  it('switches nothing on for a Recording created before the check was installed, or while it was not', async () => {
    for (const checkSince of [null, '2026-03-01T10:59:55Z', '2026-03-01T12:00:00Z']) {
      const recording = recordingOf();
      const { deps, calls } = world(recording, { checkSince });
      await reconcileContinuous(deps, recording);
      assert.deepEqual(calls, [], `nothing asked of the server (check since ${String(checkSince)})`);
      assert.equal(recording.status?.phase, 'Failed');
      assert.match(
        recording.status?.message ?? '',
        /author was never checked; delete it and create it again/,
      );
    }
    // Switched on under an earlier install, then the Furnace was installed again: switched off.
    const recording = recordingOf({ finalizers: [CONTINUOUS_FINALIZER] });
    const { deps, calls } = world(recording, { checkSince: '2026-03-01T12:00:00Z' });
    await reconcileContinuous(deps, recording);
    assert.deepEqual(calls, ['DELETE shop/always']);
  });

  it('asks for every pod of the namespace with {} and for the server’s frequency when none is given', () => {
    const spec = { target: { selector: {} }, continuous: {} };
    assert.deepEqual(selectionBody(spec), { selector: {} });
    assert.deepEqual(selectionBody({ ...spec, continuous: { frequency: 49 } }), {
      selector: {},
      frequency: 49,
    });
  });

  it('says why the server refused: no agent mode, the operator’s rights, a bad selection; retries the rest', () => {
    const refusal = (status: number, message: string) =>
      describeSelectionFailure('shop', new ServerCallError(status, { code: 'X', message }, message));
    assert.match(refusal(404, 'Route PUT not found').message, /needs agent mode \(spec\.agent\.enabled/);
    assert.match(
      refusal(403, 'no').message,
      /operator may not switch continuous profiling on in namespace shop/,
    );
    assert.match(
      refusal(400, 'frequency 120 is out of range').message,
      /refused the selection: frequency 120/,
    );
    assert.equal(refusal(503, 'later').phase, 'Pending');
    assert.equal(describeSelectionFailure('shop', new Error('ECONNREFUSED')).phase, 'Pending');
  });
});
