// The TypeScript in core/proto/gen/ is committed, because the images run compiled code without buf. This
// test generates it again from the .proto files (buf and protoc-gen-es, both npm packages) and fails when
// the committed files are stale.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { execFileSync } from '../../harness/child-processes.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

const PROTO_DIR = join(PROJECT_ROOT, 'core', 'proto');
const BIN = join(PROJECT_ROOT, 'node_modules', '.bin');

/** Every file under dir, by its path relative to dir, with its text. */
function filesUnder(dir: string): Map<string, string> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  return new Map(
    entries
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name);
        return [relative(dir, path), readFileSync(path, 'utf8')] as const;
      }),
  );
}

describe('generated protobuf code', () => {
  it('is up to date with core/proto/**/*.proto', (t) => {
    const out = mkdtempSync(join(tmpdir(), 'furnace-proto-'));
    t.after(() => rmSync(out, { recursive: true, force: true }));
    execFileSync(join(BIN, 'buf'), ['generate', '--output', out], {
      cwd: PROTO_DIR,
      env: { ...process.env, PATH: `${BIN}${delimiter}${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const fresh = filesUnder(join(out, 'gen'));
    const committed = filesUnder(join(PROTO_DIR, 'gen'));
    assert.deepEqual([...committed.keys()].sort(), [...fresh.keys()].sort(), 'the same files');
    for (const [path, text] of fresh)
      assert.ok(committed.get(path) === text, `core/proto/gen/${path} is stale: run npm run build:proto`);
    assert.ok(fresh.has('pprof/profile_pb.ts'));
    assert.ok(fresh.has('opentelemetry/proto/collector/profiles/v1development/profiles_service_pb.ts'));
  });
});
