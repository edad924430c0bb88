// The folded stacks of a run's recordings, merged, as the summary and a rollout watch's comparisons read them
// from the server's catalog (each recording only once its catalog entry says it is the pod's own:
// catalog-owner.ts). Within one reconcile a `StacksReads` reads each set once, and can read a set ahead: a
// watch reads the version before while it waits for the new version's end, so that after the end only the
// new recordings are read.
import { parseFolded, type FoldedStacks } from '../../core/stacks/folded.ts';
import { foreignEntry } from './catalog-owner.ts';
import type { SummaryFailed } from './outcomes.ts';
import { isNotFound } from './server-errors.ts';
import type { FurnaceServerClient } from './server-client.ts';

/** What mergedStacks needs of a reconcile's deps. */
export interface StacksDeps {
  server: FurnaceServerClient;
  /** Largest stacks.folded read per pod (default 64 MiB). */
  maxFoldedBytes?: number;
  /** This reconcile's reads, shared by its summary and its comparisons; each read afresh without. */
  stacksReads?: StacksReads;
}

export type StacksRead = Promise<FoldedStacks | SummaryFailed>;

type Target = { pod: string; recordingId: string };

/**
 * One reconcile's reads of merged stacks, by namespace and recordings. A read that rejected is forgotten
 * (the next asks the server again), and one read ahead that nobody awaits never rejects unhandled.
 */
export class StacksReads {
  private readonly reads = new Map<string, StacksRead>();
  /** One recording's folded text read already (a watch's end from the catalog reads it at once). */
  private readonly texts = new Map<string, Promise<string>>();

  read(namespace: string, results: readonly Target[], fetch: () => StacksRead): StacksRead {
    // In any order: the summary takes a run's results as listed, a watch's version sorts them by pod.
    const key = JSON.stringify([namespace, results.map((r) => `${r.pod}/${r.recordingId}`).sort()]);
    return remembered(this.reads, key, fetch);
  }

  /** The folded text of a recording whose catalog entry was found to be the pod's, read once. */
  text(namespace: string, target: Target, fetch: () => Promise<string>): Promise<string> {
    return remembered(this.texts, JSON.stringify([namespace, target.pod, target.recordingId]), fetch);
  }

  /** The text read by `text`, if it was. */
  knownText(namespace: string, target: Target): Promise<string> | undefined {
    return this.texts.get(JSON.stringify([namespace, target.pod, target.recordingId]));
  }
}

/** `fetch()` once under `key` in `reads`; a read that rejected is forgotten and rejects nobody unasked. */
function remembered<T>(reads: Map<string, Promise<T>>, key: string, fetch: () => Promise<T>): Promise<T> {
  const known = reads.get(key);
  if (known) return known;
  const read = fetch();
  reads.set(key, read);
  read.catch(() => {
    if (reads.get(key) === read) reads.delete(key);
  });
  return read;
}

const DEFAULT_MAX_FOLDED_BYTES = 64 * 1024 * 1024;

/**
 * Reads ahead the folded text of a recording whose catalog entry was just found to be the pod's and done
 * (catalog-end.ts), for this reconcile's summary and comparison. Nothing without the reconcile's reads.
 */
export function readAheadFolded(deps: StacksDeps, namespace: string, target: Target): void {
  // A read that fails is forgotten (remembered()), and the summary reads it again.
  void deps.stacksReads?.text(namespace, target, () =>
    deps.server.readArtifact(
      target.recordingId,
      'stacks.folded',
      deps.maxFoldedBytes ?? DEFAULT_MAX_FOLDED_BYTES,
    ),
  );
}

/** One recording's folded text, once its catalog entry says it is the pod's; or why it cannot be read. */
async function ownFolded(
  deps: StacksDeps,
  namespace: string,
  target: Target,
): Promise<string | SummaryFailed> {
  const { pod, recordingId } = target;
  const ahead = deps.stacksReads?.knownText(namespace, target);
  if (ahead) {
    // Read once the entry was found to be the pod's; a read that failed is made as below.
    const text = await ahead.catch(() => undefined);
    if (text !== undefined) return text;
  }
  const entry = await deps.server.getCatalogEntry(recordingId);
  if (!entry)
    return {
      kind: 'summary-failed',
      pod,
      message: `recording ${recordingId} is not in the server's catalog (its upload failed)`,
    };
  const foreign = foreignEntry(entry, namespace, pod);
  if (foreign) return { kind: 'summary-failed', pod, message: foreign };
  try {
    return await deps.server.readArtifact(
      recordingId,
      'stacks.folded',
      deps.maxFoldedBytes ?? DEFAULT_MAX_FOLDED_BYTES,
    );
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return {
      kind: 'summary-failed',
      pod,
      message: `recording ${recordingId} has no stacks.folded in the server's catalog (its upload failed)`,
    };
  }
}

async function readMerged(deps: StacksDeps, namespace: string, results: readonly Target[]): StacksRead {
  // The pods' recordings are read side by side; the first that cannot be read (in the run's order) is told.
  const texts = await Promise.all(results.map((target) => ownFolded(deps, namespace, target)));
  const merged: FoldedStacks = new Map();
  for (const text of texts) {
    if (typeof text !== 'string') return text;
    for (const [stack, count] of parseFolded(text)) merged.set(stack, (merged.get(stack) ?? 0) + count);
  }
  return merged;
}

/** The folded stacks of the recordings merged, or why one of them cannot be read. */
export function mergedStacks(deps: StacksDeps, namespace: string, results: readonly Target[]): StacksRead {
  if (!deps.stacksReads) return readMerged(deps, namespace, results);
  return deps.stacksReads.read(namespace, results, () => readMerged(deps, namespace, results));
}
