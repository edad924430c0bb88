// The scope header between the server's proxy and a node agent: what the server writes is what the agent
// reads, and anything else is refused with a 400 naming the header.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAgentScope, encodeAgentScope, type AgentScope } from '../../../core/contract/agent-scope.ts';
import { FurnaceError } from '../../../core/contract/errors.ts';

const scope: AgentScope = {
  namespace: 'shop',
  pod: 'web-7d9f',
  podUid: '0aa0ed2c-3d7b-4c5e-a5b4-3d1b8a2b6b8e',
  containers: [{ name: 'app', id: 'a'.repeat(64), image: 'registry.example/app:1' }],
  uploadToken: 'grant-1',
};

function encoded(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('agent scope header', () => {
  it('reads back what the server wrote', () => {
    assert.deepEqual(decodeAgentScope(encodeAgentScope(scope)), scope);
    const { uploadToken: _, ...withoutToken } = scope;
    assert.deepEqual(decodeAgentScope(encodeAgentScope(withoutToken)), withoutToken);
  });

  it('refuses a missing, malformed or out-of-shape scope with a 400 naming the header', () => {
    const bad: unknown[] = [
      undefined,
      '',
      ['a', 'b'],
      'not base64 json!',
      encoded({ ...scope, namespace: '../etc' }),
      encoded({ ...scope, podUid: 'x y' }),
      encoded({ ...scope, containers: 'app' }),
      encoded({ ...scope, containers: [{ name: 'app', id: 'short', image: '' }] }),
      encoded({ ...scope, containers: Array.from({ length: 257 }, () => scope.containers[0]) }),
      encoded({ ...scope, uploadToken: 5 }),
    ];
    for (const header of bad) {
      assert.throws(
        () => decodeAgentScope(header as string | undefined),
        (error: unknown) =>
          error instanceof FurnaceError && error.status === 400 && error.message.includes('x-furnace-scope'),
        JSON.stringify(header),
      );
    }
  });
});
