// GET /api/v1/recordings/merged/artifacts/:name?id=A&id=B: one flame graph of several catalog recordings
// (the pods of a Recording's selector, or any the caller picks). Each id is read under the rule of a
// single read (the route guard's `recordingsIn`): one the caller may not `get` answers like one that
// does not exist. The folded stacks are added up and rendered by the same core renderers as one recording's, and
// exported (pprof, OTLP) by the same writers.
import { text } from 'node:stream/consumers';
import type { FastifyInstance } from 'fastify';
import { FurnaceError } from '../../core/contract/errors.ts';
import { sharedProfile } from '../../core/contract/profile-types.ts';
import { ARTIFACT_CONTENT_TYPES } from '../../core/contract/names.ts';
import { RECORDING_ID_PATTERN, type CatalogEntry } from '../../core/contract/recording.ts';
import { renderFlameGraphHtml } from '../../core/render/html.ts';
import { toSpeedscope } from '../../core/render/speedscope.ts';
import { renderFlameGraphSvg } from '../../core/render/svg.ts';
import { formatFolded, parseFolded, totalSamples } from '../../core/stacks/folded.ts';
import { writeCatalogAudit } from '../operations/audit.ts';
import { ANSWER_CSP } from '../answer-csp.ts';
import type { Catalog } from './catalog-store.ts';
import { catalogued } from './catalog-routes.ts';
import type { FoldedStacks } from '../../core/stacks/folded.ts';
import { identityOf } from '../auth/route-guard.ts';
import { createMergeCache, type MergeCache } from './merge-cache.ts';
import { mergedExportMeta } from './merged-export-meta.ts';
import { typedRoutes } from '../listeners/typed-routes.ts';
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
  maxIds?: number;
  maxBytes?: number;
  /** `merge.*`: merges at once, waiting, and the cache of rendered merges. */
  merge?: MergeSettings;
}

const FOLDED = 'stacks.folded';

/** The entries (each visible to the caller, each with its folded stacks), their folded sizes checked (also the comparison's). */
export function sizedEntries(maxBytes: number, entries: CatalogEntry[]): CatalogEntry[] {
  let total = 0;
  const out: CatalogEntry[] = [];
  for (const entry of entries) {
    const size = entry.artifacts.find((a) => a.name === FOLDED)?.bytes;
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
    out.push(entry);
  }
  return out;
}

/** The folded stacks of one recording, read from the artifact store; no more than its entry says it holds. */
export async function readFolded(catalog: Catalog, entry: CatalogEntry): Promise<string> {
  const artifact = await catalog.openArtifact(entry.id, FOLDED);
  const listed = entry.artifacts.find((a) => a.name === FOLDED)?.bytes ?? 0;
  if (artifact === undefined || artifact.bytes > listed) {
    artifact?.body.destroy();
    throw new FurnaceError('ERR_NOT_FOUND', `recording ${entry.id} has no artifact ${FOLDED}`, {
      id: entry.id,
      name: FOLDED,
    });
  }
  return text(artifact.body);
}

async function mergeFolded(catalog: Catalog, entries: readonly CatalogEntry[]): Promise<FoldedStacks> {
  const merged: FoldedStacks = new Map();
  for (const entry of entries) {
    for (const [stack, count] of parseFolded(await readFolded(catalog, entry)))
      merged.set(stack, (merged.get(stack) ?? 0) + count);
  }
  return merged;
}

async function render(
  name: MergedArtifactName,
  stacks: FoldedStacks,
  entries: readonly CatalogEntry[],
): Promise<string | Buffer> {
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
    case 'profile.otlp.pb': {
      // Loaded at the first merged export, not at every server's start: protobuf and its generated schemas.
      const { exportProfile } = await import('../../core/export/profile-exports.ts');
      return exportProfile(name, stacks, mergedExportMeta(entries));
    }
  }
}

/** The rendered merge: from the cache, or merged in a slot and then cached for the next viewer. */
async function mergedBody(
  name: MergedArtifactName,
  sized: CatalogEntry[],
  ids: string[],
  work: { cache: MergeCache; slots: MergeSlots; catalog: Catalog },
): Promise<string | Buffer> {
  const cached = work.cache.get(name, ids);
  if (cached !== undefined) return cached;
  return work.slots.run(async () => {
    // A merge that waited for its slot may find another viewer's result.
    const ready = work.cache.get(name, ids);
    if (ready !== undefined) return ready;
    const stacks = await mergeFolded(work.catalog, sized);
    const body = await render(name, stacks, sized);
    work.cache.set(name, ids, body);
    return body;
  });
}

/** At most `maxIds` different ids; a 400 naming the field and the limit otherwise. */
function checkCount(query: { id: string[] }, maxIds: number): void {
  const ids = new Set(query.id);
  if (ids.size > maxIds)
    throw new FurnaceError(
      'ERR_LIMIT_EXCEEDED',
      `id names ${ids.size} recordings; at most ${maxIds} can be merged`,
      { field: 'id', value: ids.size, limit: maxIds },
    );
}

export function registerMergedArtifactRoute(app: FastifyInstance, deps: MergedArtifactDeps): void {
  const {
    maxIds = MAX_MERGED_IDS,
    maxBytes = MAX_MERGED_BYTES,
    merge: settings = DEFAULT_MERGE_SETTINGS,
  } = deps;
  const work = {
    cache: createMergeCache(settings.cacheBytes),
    slots: createMergeSlots(settings),
    catalog: deps.catalog,
  };
  deps.catalog.onChanged((id) => work.cache.invalidate(id));
  typedRoutes(app).get(
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
      config: {
        // Each id under the rule of a single read, once the count is known to be within the limit.
        guard: { authorize: { verb: 'get', namespace: { recordingsIn: 'query' } } },
        check: (request) => checkCount(request.query as { id: string[] }, maxIds),
      },
    },
    async (request, reply) => {
      const identity = identityOf(request);
      const ids = [...new Set(request.query.id)];
      const entries = ids.map((id) => catalogued(deps.catalog, id));
      sharedProfile(entries);
      const sized = sizedEntries(maxBytes, entries);
      const body = await mergedBody(request.params.name, sized, ids, work);
      for (const entry of sized) {
        writeCatalogAudit(request.log, identity, {
          action: 'download',
          entry,
          artifact: `merged ${request.params.name}`,
        });
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
