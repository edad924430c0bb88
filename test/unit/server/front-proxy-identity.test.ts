// The identity in the API server's X-Remote-* headers, and which certificates may send them.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import {
  parseCaBundle,
  readRemoteIdentity,
  refuseFrontProxyCertificate,
} from '../../../server/auth/front-proxy.ts';
import { createCa, issueCertificate } from '../../harness/pki.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

describe('X-Remote-* identity', () => {
  it('reads the user, every group line and the extra fields with their escaped keys', () => {
    assert.deepEqual(
      readRemoteIdentity({
        'x-remote-user': ['alice'],
        'x-remote-group': ['dev', 'system:authenticated'],
        'x-remote-extra-scopes': ['a', 'b'],
        'x-remote-extra-example.com%2fteam': ['blue'],
        'x-other': ['ignored'],
      }),
      {
        user: 'alice',
        groups: ['dev', 'system:authenticated'],
        extra: { scopes: ['a', 'b'], 'example.com/team': ['blue'] },
      },
    );
  });

  it('has no identity without a user', () => {
    assert.equal(readRemoteIdentity({ 'x-remote-group': ['system:masters'] }), undefined);
    assert.equal(readRemoteIdentity({ 'x-remote-user': [' '] }), undefined);
  });
});

describe('front-proxy certificates', () => {
  it('takes a certificate the CA issued with an allowed name, and names what is wrong with any other', async (t) => {
    const dir = await tempDir(t, 'furnace-front-proxy-unit-');
    const ca = await createCa(dir, 'ca', '/CN=front-proxy-ca');
    const other = await createCa(dir, 'other', '/CN=front-proxy-ca');
    const load = async (path: string) => new X509Certificate(await readFile(path));
    const good = await load(
      (await issueCertificate(dir, ca, 'fp', { subject: '/CN=front-proxy-client', clientAuth: true }))
        .certPath,
    );
    const forged = await load(
      (await issueCertificate(dir, other, 'fo', { subject: '/CN=front-proxy-client', clientAuth: true }))
        .certPath,
    );
    const cas = parseCaBundle(await readFile(ca.certPath, 'utf8'));
    const allowed = ['front-proxy-client'];
    assert.equal(refuseFrontProxyCertificate(good, true, cas, allowed), undefined);
    assert.equal(refuseFrontProxyCertificate(good, true, cas, []), undefined);
    assert.equal(refuseFrontProxyCertificate(undefined, false, cas, allowed), 'no client certificate');
    assert.match(refuseFrontProxyCertificate(good, false, cas, allowed) ?? '', /does not verify/);
    assert.match(
      refuseFrontProxyCertificate(forged, true, cas, allowed) ?? '',
      /not issued by the request-header CA/,
    );
    assert.match(
      refuseFrontProxyCertificate(good, true, cas, ['aggregator']) ?? '',
      /front-proxy-client is not one of/,
    );
  });
});
