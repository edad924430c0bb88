// core/export/profile-exports.ts gives each exported profile as the file's pieces, which the sidecar writes
// one after the other (sidecar/recording/render-artifacts.ts) instead of joining them in one buffer first:
// the file so written is byte for byte the one buffer the server and the sinks send, it decodes as the whole
// recording, and the disk budget counts every piece.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { fromBinary } from '@bufbuild/protobuf';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import {
  EXPORT_ARTIFACTS,
  exportProfile,
  exportProfilePieces,
} from '../../../core/export/profile-exports.ts';
import type { ProfileExportMeta } from '../../../core/export/profile-subject.ts';
import { ExportProfilesServiceRequestSchema } from '../../../core/proto/gen/opentelemetry/proto/collector/profiles/v1development/profiles_service_pb.ts';
import { ProfileSchema } from '../../../core/proto/gen/pprof/profile_pb.ts';
import { totalSamples, type FoldedStacks } from '../../../core/stacks/folded.ts';
import { internStacks } from '../../../core/stacks/interned.ts';
import type { RecordingEvent } from '../../../sidecar/recording-events.ts';
import { writeArtifact } from '../../../sidecar/recording/render-artifacts.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

const META: ProfileExportMeta = {
  frequency: 99,
  startedAtMs: Date.parse('2026-11-25T01:00:00Z'),
  durationMs: 5000,
  subject: { namespace: 'shop', pod: 'web-1', container: 'app', service: 'web' },
};

/** Enough stacks and frame names that both formats come in several pieces. */
function manyStacks(): FoldedStacks {
  const stacks: FoldedStacks = new Map();
  for (let i = 0; i < 3000; i++)
    stacks.set(`main;worker_${i % 9};handler_${i % 700}_with_a_long_name;leaf_${i}`, 1 + (i % 5));
  return stacks;
}

describe('exported profiles as the file’s pieces', () => {
  it('written one after the other, are the one-buffer file, and decode as the whole recording', async (t) => {
    const stacks = manyStacks();
    const tables = internStacks(stacks);
    const writer = new BinaryWriter();
    const dir = await tempDir(t, 'export-pieces-');
    const events: RecordingEvent[] = [];
    const deps = {
      report: (event: RecordingEvent) => events.push(event),
      budget: { free: () => Promise.resolve(1e9) },
    };
    for (const name of EXPORT_ARTIFACTS) {
      const pieces = exportProfilePieces(name, tables, META, writer);
      assert.ok(pieces.length > 2, `${name} in ${pieces.length} pieces`);
      await writeArtifact(deps, dir, name, pieces);
      assert.deepEqual(await readFile(join(dir, name)), exportProfile(name, stacks, META), name);
    }
    assert.deepEqual(events, [
      { type: 'artifact', name: 'profile.pb.gz' },
      { type: 'artifact', name: 'profile.otlp.pb' },
    ]);
    const pprof = fromBinary(ProfileSchema, gunzipSync(await readFile(join(dir, 'profile.pb.gz'))));
    assert.equal(
      pprof.sample.reduce((sum, sample) => sum + Number(sample.value[0]), 0),
      totalSamples(stacks),
    );
    const otlp = fromBinary(ExportProfilesServiceRequestSchema, await readFile(join(dir, 'profile.otlp.pb')));
    assert.equal(otlp.dictionary?.stackTable.length, 1 + stacks.size);
  });

  it('are counted whole against the disk budget: a file of pieces over it is not written', async (t) => {
    const pieces = exportProfilePieces('profile.otlp.pb', manyStacks(), META);
    const bytes = pieces.reduce((sum, piece) => sum + piece.byteLength, 0);
    const dir = await tempDir(t, 'export-pieces-budget-');
    const events: RecordingEvent[] = [];
    const free = bytes - 1;
    const deps = {
      report: (event: RecordingEvent) => events.push(event),
      budget: { free: () => Promise.resolve(free) },
    };
    await writeArtifact(deps, dir, 'profile.otlp.pb', pieces);
    assert.deepEqual(events, [
      {
        type: 'warning',
        message: `profile.otlp.pb (${bytes} bytes) was not written: the disk budget has ${free} bytes free`,
      },
    ]);
    await assert.rejects(readFile(join(dir, 'profile.otlp.pb')), { code: 'ENOENT' });
  });
});
