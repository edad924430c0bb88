// The replicas' shared key: the key file's format and its refusals (which never show a key), key ids,
// and token derivation that no two lists of fields share.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../core/config/config-error.ts';
import { resolveConfig } from '../../../server/config/config.ts';
import {
  deriveToken,
  keyIdOf,
  parseSharedKeyFile,
  randomSharedKeys,
  sharedKeysOf,
} from '../../../core/shared-key.ts';

const KEY = Buffer.alloc(32, 1).toString('base64');
const NEXT = Buffer.alloc(48, 2).toString('base64url');

describe('shared key file', () => {
  it('reads one base64 key per line, the first current, every one accepted, comments and blank lines skipped', () => {
    const keys = parseSharedKeyFile(`# rotated 2026-03-01\n${NEXT}\n\n  ${KEY}  \n`, '/keys');
    assert.equal(keys.current.id, keyIdOf(Buffer.alloc(48, 2)));
    assert.deepEqual(
      keys.all().map((key) => key.bytes.length),
      [48, 32],
    );
    assert.equal(keys.byId(keyIdOf(Buffer.alloc(32, 1)))?.bytes.length, 32);
    assert.equal(keys.byId('unknown'), undefined);
  });

  it('refuses an empty file, a short key or a line that is not base64, naming the setting, the file and the line, never the key', () => {
    const cases: [string, RegExp][] = [
      ['# nothing\n', /it has none/],
      [`${KEY}\n${Buffer.alloc(16).toString('base64')}\n`, /line 2 is 16 bytes/],
      ['not a key!\n', /line 1 is not base64/],
    ];
    for (const [text, reason] of cases) {
      assert.throws(
        () => parseSharedKeyFile(text, '/etc/furnace/shared-key/keys'),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.key, 'security.sharedKeyFile');
          assert.match(error.message, /\/etc\/furnace\/shared-key\/keys/);
          assert.match(error.message, /at least 32 bytes/);
          assert.match(error.message, reason);
          assert.ok(!error.message.includes(KEY), 'the key is never in the message');
          return true;
        },
      );
    }
  });

  it('makes a different random key for each process without a file', () => {
    assert.notEqual(randomSharedKeys().current.id, randomSharedKeys().current.id);
  });
});

describe('derived tokens', () => {
  const key = sharedKeysOf([Buffer.alloc(32, 1)]).current;

  it('are 256-bit base64url, the same for the same purpose and fields, different for any other', () => {
    const token = deriveToken(key, 'proxy-token', ['ns', 'web']);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(deriveToken(key, 'proxy-token', ['ns', 'web']), token);
    const others = [
      deriveToken(key, 'upload-token', ['ns', 'web']),
      deriveToken(key, 'proxy-token', ['nsw', 'eb']),
      deriveToken(key, 'proxy-token', ['ns', 'web', '']),
      deriveToken(key, 'proxy-token', ['ns\n3:web']),
      deriveToken(sharedKeysOf([Buffer.alloc(32, 2)]).current, 'proxy-token', ['ns', 'web']),
    ];
    assert.equal(new Set([token, ...others]).size, others.length + 1);
  });

  it("stay what earlier versions derived, so replicas of two versions accept one another's tokens in a rollout", () => {
    // HMAC-SHA256 of "furnace/proxy-token/v1\n2:ns\n3:web\n" under 32 bytes of 0x01, worked out apart.
    assert.equal(
      deriveToken(key, 'proxy-token', ['ns', 'web']),
      'TTwgdD-5i4j-xtJ14oiL1JlrFlVr71mykcSidLTAYLo',
    );
  });
});

describe('replica settings', () => {
  const resolve = (raw: Record<string, unknown>) =>
    resolveConfig({
      local: false,
      env: {},
      file: {
        path: 'config.yaml',
        raw: { tls: { certFile: 'c', keyFile: 'k' }, webhook: { enabled: false }, ...raw },
      },
    });

  it('keeps one replica in memory by default', () => {
    assert.deepEqual(resolve({}).replicas, { shared: false, namespace: '', name: '' });
  });

  it('shares with coordination.mode kubernetes and a key file, and refuses sharing without one, or in local mode', () => {
    const coordination = { mode: 'kubernetes', namespace: 'furnace' };
    const shared = resolve({ coordination, security: { sharedKeyFile: '/k' }, replicas: { name: 'pod-1' } });
    assert.deepEqual(shared.replicas, {
      shared: true,
      namespace: 'furnace',
      name: 'pod-1',
      sharedKeyFile: '/k',
    });
    assert.throws(
      () => resolve({ coordination }),
      /security\.sharedKeyFile = \(unset\).*required with coordination\.mode kubernetes/,
    );
    assert.throws(
      () =>
        resolveConfig({
          local: true,
          env: {},
          file: { path: 'c.yaml', raw: { coordination, security: { sharedKeyFile: '/k' } } },
        }),
      /coordination\.mode = "kubernetes"; allowed: single in local mode/,
    );
    assert.throws(() => resolve({ replicas: { name: 'Not_A_Name' } }), /replicas\.name = "Not_A_Name"/);
  });
});
