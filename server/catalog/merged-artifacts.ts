// GET /api/v1/recordings/merged/artifacts/:name?id=A&id=B: one flame graph of several catalog recordings
// (the pods of a Recording's selector, or any the caller picks). Each id is read under the rule of a
// single read (catalog-routes.ts `visible`): one the caller may not `get` answers like one that does not
// exist. The folded stacks are added up and rendered by the same core renderers as one recording's, and
// exported (pprof, OTLP) by the same writers.
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { FurnaceError } from '../../core/contract/errors.ts';
import { ARTIFACT_CONTENT_TYPES } from '../../core/contract/names.ts';
import { RECORDING_ID_PATTERN, type CatalogEntry } from '../../core/contract/recording.ts';
import { exportProfile } from '../../core/export/profile-exports.ts';
import { renderFlameGraphHtml } from '../../core/render/html.ts';
import { toSpeedscope } from '../../core/render/speedscope.ts';
import { renderFlameGraphSvg } from '../../core/render/svg.ts';
import { formatFolded, parseFolded, totalSamples } from '../../core/stacks/folded.ts';
import type { Access } from '../auth/access.ts';
import { writeCatalogAudit } from '../operations/audit.ts';
import { ANSWER_CSP } from '../answer-csp.ts';
import { artifactSize, type Catalog } from './catalog-store.ts';
import { visible } from './catalog-routes.ts';
import type { FoldedStacks } from '../../core/stacks/folded.ts';
import { identityOf } from '../auth/identify-requests.ts';
import { createMergeCache, type MergeCache } from './merge-cache.ts';
import { mergedExportMeta } from './merged-export-meta.ts';
import {
  createMergeSlots,
  DEFAULT_MERGE_SETTINGS,
  type MergeSettings,
  type MergeSlots,
} from './merge-slots.ts';

export const MERGED_ARTIFACT_NAMES = [
  'flamegraph.svg',
  'flamegraph.html',
  'stacks.folded',
  'speedscope.json',
  'profile.pb.gz',
  'profile.otlp.pb',
] as const;
export type MergedArtifactName = (typeof MERGED_ARTIFACT_NAMES)[number];

/** Recordings one merge may name. */
export const MAX_MERGED_IDS = 50;
/** The folded stacks of all of them together: what is read into memory for one answer. */
export const MAX_MERGED_BYTES = 64 * 1024 * 1024;

export interface MergedArtifactDeps {
  catalog: Catalog;
  access: Access;
  maxIds?: number;
  maxBytes?: number;
  /** `merge.*`: merges at once, waiting, and the cache of rendered merges. */
  merge?: MergeSettings;
}

const FOLDED = 'stacks.folded';

/** The entries (each visible to the caller, each with its folded stacks) and their folded sizes. */
async function sizedEntries(
  deps: MergedArtifactDeps,
  entries: CatalogEntry[],
): Promise<{ entry: CatalogEntry; path: string }[]> {
  const maxBytes = deps.maxBytes ?? MAX_MERGED_BYTES;
  let total = 0;
  const out: { entry: CatalogEntry; path: string }[] = [];
  for (const entry of entries) {
    const path = deps.catalog.artifactPath(entry.id, FOLDED);
    const size = entry.artifacts.some((a) => a.name === FOLDED) ? await artifactSize(path) : undefined;
    if (size === undefined)
      throw new FurnaceError('ERR_NOT_FOUND', `recording ${entry.id} has no artifact ${FOLDED}`, {
        id: entry.id,
        name: FOLDED,
      });
    total += size;
    if (total > maxBytes)
      throw new FurnaceError(
        'ERR_PAYLOAD_TOO_LARGE',
        `the ${FOLDED} of the recordings asked for exceed ${maxBytes} bytes together, the most one merge reads`,
        { field: 'id', limit: maxBytes },
      );
    out.push({ entry, path });
  }
  return out;
}

async function mergeFolded(paths: string[]): Promise<FoldedStacks> {
  const merged: FoldedStacks = new Map();
  for (const path of paths) {
    for (const [stack, count] of parseFolded(await readFile(path, 'utf8')))
      merged.set(stack, (merged.get(stack) ?? 0) + count);
  }
  return merged;
}

function render(
  name: MergedArtifactName,
  stacks: FoldedStacks,
  entries: readonly CatalogEntry[],
): string | Buffer {
  const ids = entries.map((entry) => entry.id);
  const title = 'Merged flame graph';
  const subtitle = `${ids.length} recordings, ${totalSamples(stacks)} samples`;
  switch (name) {
    case 'flamegraph.svg':
      return renderFlameGraphSvg(stacks, { title, subtitle });
    case 'flamegraph.html':
      return renderFlameGraphHtml(stacks, { title, subtitle });
    case 'stacks.folded':
      return formatFolded(stacks);
    case 'speedscope.json':
      return JSON.stringify(toSpeedscope(stacks, { name: `${title}: ${ids.join(', ')}` }));
    case 'profile.pb.gz':
    case 'profile.otlp.pb':
      return exportProfile(name, stacks, mergedExportMeta(entries));
  }
}

/** The rendered merge: from the cache, or merged in a slot and then cached for the next viewer. */
async function mergedBody(
  name: MergedArtifactName,
  sized: { entry: CatalogEntry; path: string }[],
  ids: string[],
  work: { cache: MergeCache; slots: MergeSlots },
): Promise<string | Buffer> {
  const cached = work.cache.get(name, ids);
  if (cached !== undefined) return cached;
  return work.slots.run(async () => {
    // A merge that waited for its slot may find another viewer's result.
    const ready = work.cache.get(name, ids);
    if (ready !== undefined) return ready;
    const stacks = await mergeFolded(sized.map((s) => s.path));
    const body = render(
      name,
      stacks,
      sized.map((s) => s.entry),
    );
    work.cache.set(name, ids, body);
    return body;
  });
}

export function registerMergedArtifactRoute(app: FastifyInstance, deps: MergedArtifactDeps): void {
  const maxIds = deps.maxIds ?? MAX_MERGED_IDS;
  const settings = deps.merge ?? DEFAULT_MERGE_SETTINGS;
  const work = { cache: createMergeCache(settings.cacheBytes), slots: createMergeSlots(settings) };
  deps.catalog.onChanged((id) => work.cache.invalidate(id));
  app.get<{ Params: { name: MergedArtifactName }; Querystring: { id: string[] } }>(
    '/api/v1/recordings/merged/artifacts/:name',
    {
      schema: {
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', enum: [...MERGED_ARTIFACT_NAMES] } },
        },
        querystring: {
          type: 'object',
          required: ['id'],
          additionalProperties: false,
          properties: {
            id: { type: 'array', minItems: 1, items: { type: 'string', pattern: RECORDING_ID_PATTERN } },
          },
        },
      },
    },
    async (request, reply) => {
      const identity = identityOf(request);
      const ids = [...new Set(request.query.id)];
      if (ids.length > maxIds)
        throw new FurnaceError(
          'ERR_LIMIT_EXCEEDED',
          `id names ${ids.length} recordings; at most ${maxIds} can be merged`,
          { field: 'id', value: ids.length, limit: maxIds },
        );
      const entries: CatalogEntry[] = [];
      for (const id of ids) entries.push(await visible(deps.access, deps.catalog, identity, id));
      const sized = await sizedEntries(deps, entries);
      const body = await mergedBody(request.params.name, sized, ids, work);
      for (const { entry } of sized) {
        writeCatalogAudit(request.log, 'download', identity, entry, `merged ${request.params.name}`);
      }
      return reply
        .type(ARTIFACT_CONTENT_TYPES[request.params.name])
        .header('content-disposition', `attachment; filename="merged-${request.params.name}"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', ANSWER_CSP)
        .send(body);
    },
  );
}
