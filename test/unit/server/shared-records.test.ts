// The shared records (server/replicas/lease-records.ts) over the one Lease mapping
// (kube/leases/lease-record.ts): a record goes out as the Lease object the API server takes and comes
// back whole from the object the API server answers; a Lease that is not a complete shared record is
// not taken for one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leaseObjectOf, leaseRecordOf } from '../../../kube/leases/lease-record.ts';
import {
  leaseDraftOf,
  RECORD_ANNOTATION,
  SHARED_KIND_LABEL,
  sharedRecordOf,
  type SharedRecord,
} from '../../../server/replicas/lease-records.ts';

const record: SharedRecord = {
  name: 'furnace-sidecar-0123',
  kind: 'sidecar',
  data: { namespace: 'team-a', pod: 'web-1', port: 12380 },
  holder: 'replica-a',
  acquiredAt: Date.UTC(2026, 10, 24, 18, 0, 0, 123),
  renewedAt: Date.UTC(2026, 10, 24, 18, 5, 30, 7),
  durationSeconds: 135,
  resourceVersion: '4711',
};

/** What the API server would answer for the object we send: JSON, with its own resourceVersion. */
function answered(object: object, resourceVersion = '4712'): unknown {
  const sent = JSON.parse(JSON.stringify(object)) as { metadata: Record<string, unknown> };
  return { ...sent, metadata: { ...sent.metadata, resourceVersion, uid: 'u-1' } };
}

describe('shared records as Leases', () => {
  it('writes the kind as a label, the data as JSON in one annotation, the times as MicroTime', () => {
    const object = leaseObjectOf('furnace', leaseDraftOf(record)) as {
      metadata: {
        name: string;
        namespace: string;
        resourceVersion?: string;
        labels: object;
        annotations: object;
      };
      spec: { holderIdentity: string; acquireTime: string; renewTime: string; leaseDurationSeconds: number };
    };
    assert.equal(object.metadata.name, record.name);
    assert.equal(object.metadata.namespace, 'furnace');
    assert.equal(object.metadata.resourceVersion, '4711', 'a replace is conditional on the version read');
    assert.deepEqual(object.metadata.labels, { [SHARED_KIND_LABEL]: 'sidecar' });
    assert.deepEqual(object.metadata.annotations, { [RECORD_ANNOTATION]: JSON.stringify(record.data) });
    assert.equal(object.spec.holderIdentity, 'replica-a');
    assert.equal(object.spec.acquireTime, '2026-11-24T18:00:00.123000Z');
    assert.equal(object.spec.renewTime, '2026-11-24T18:05:30.007000Z');
    assert.equal(object.spec.leaseDurationSeconds, 135);
  });

  it('reads back the record it wrote, at the version the API server answered', () => {
    const back = sharedRecordOf(leaseRecordOf(answered(leaseObjectOf('furnace', leaseDraftOf(record)))));
    assert.deepEqual(back, { ...record, resourceVersion: '4712' });
  });

  it('takes a Lease without a complete record for none', () => {
    const lease = leaseRecordOf(answered(leaseObjectOf('furnace', leaseDraftOf(record))));
    const broken = {
      'no kind label': { ...lease, labels: {} },
      'an unknown kind': { ...lease, labels: { [SHARED_KIND_LABEL]: 'leader' } },
      'no data': { ...lease, annotations: {} },
      'data that is not JSON': { ...lease, annotations: { [RECORD_ANNOTATION]: '{"pod":' } },
      'data that is a list': { ...lease, annotations: { [RECORD_ANNOTATION]: '["web-1"]' } },
      'no renew time': { ...lease, renewTime: undefined },
      'an acquire time that is no time': { ...lease, acquireTime: 'yesterday' },
      'no name': { ...lease, name: '' },
    };
    for (const [what, candidate] of Object.entries(broken))
      assert.equal(sharedRecordOf(candidate), undefined, what);
  });

  it('ignores a leader election Lease in the same namespace', () => {
    const leader = leaseRecordOf({
      metadata: { name: 'furnace-leader', resourceVersion: '9' },
      spec: {
        holderIdentity: 'replica-b',
        leaseDurationSeconds: 15,
        renewTime: '2026-11-24T18:00:00.000000Z',
      },
    });
    assert.equal(sharedRecordOf(leader), undefined);
  });
});
