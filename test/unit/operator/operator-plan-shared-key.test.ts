// The operator's Secret of the replicas' shared key: made once with random bytes, then kept as found (a
// rotation an admin wrote stands), replaced only when the server would not start with it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Secret } from '@kubernetes/client-node';
import type { Furnace } from '../../../core/crd/resources.ts';
import { parseSharedKeyFile } from '../../../core/shared-key.ts';
import { planFurnace } from '../../../operator/furnace/plan.ts';
import {
  decideSharedKey,
  SHARED_KEY_FILE,
  sharedKeyVolume,
} from '../../../operator/furnace/plan-shared-key.ts';
import { furnaceNames } from '../../../operator/furnace/furnace-names.ts';

const random = () => Buffer.alloc(32, 7);
const furnace: Furnace = {
  apiVersion: 'furnace.hyperfoil.io/v1alpha1',
  kind: 'Furnace',
  metadata: { name: 'furnace', namespace: 'furnace', uid: 'uid-1' },
  spec: {},
};

describe('the shared key Secret', () => {
  it('is made with 32 random bytes when there is none, and kept as found afterwards, rotations included', () => {
    const made = decideSharedKey(undefined, random);
    assert.equal(parseSharedKeyFile(made, SHARED_KEY_FILE).current.bytes.length, 32);
    const rotated = `${Buffer.alloc(32, 1).toString('base64')}\n${made}`;
    assert.equal(
      decideSharedKey(rotated, () => assert.fail('no new key')),
      rotated,
    );
  });

  it('is made again when what is stored is no key the server would take', () => {
    assert.equal(decideSharedKey('too short\n', random), `${Buffer.alloc(32, 7).toString('base64')}\n`);
  });

  it('is planned in the Furnace’s namespace, owned by it, when the reconcile decided it', () => {
    const input = {
      furnace,
      platform: 'kubernetes' as const,
      certificates: { bundlePem: '' },
      optedInNamespaces: [],
    };
    const secretOf = (objects: ReturnType<typeof planFurnace>): V1Secret | undefined =>
      objects.find((o) => o.kind === 'Secret' && o.metadata?.name === 'furnace-shared-key');
    assert.equal(secretOf(planFurnace(input)), undefined);
    const key = decideSharedKey(undefined, random);
    const secret = secretOf(planFurnace({ ...input, sharedKey: key }));
    assert.equal(secret?.metadata?.namespace, 'furnace');
    assert.equal(secret?.metadata?.ownerReferences?.[0]?.uid, 'uid-1');
    assert.equal(Buffer.from(secret?.data?.keys ?? '', 'base64').toString(), key);
    const { volume, mount } = sharedKeyVolume(furnaceNames('furnace', 'furnace'));
    assert.equal(volume.secret?.secretName, 'furnace-shared-key');
    assert.equal(`${mount.mountPath}/keys`, SHARED_KEY_FILE);
  });
});
