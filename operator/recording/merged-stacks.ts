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

  read(namespace: string, results: readonly Target[], fetch: () => StacksRead): StacksRead {
    // In any order: the summary takes a run's results as listed, a watch's version sorts them by pod.
    const key = JSON.stringify([namespace, results.map((r) => `${r.pod}/${r.recordingId}`).sort()]);
    const known = this.reads.get(key);
    if (known) return known;
    const read = fetch();
    this.reads.set(key, read);
    read.catch(() => {
      if (this.reads.get(key) === read) this.reads.delete(key);
    });
    return read;
  }
}

/** One recording's folded text, once its catalog entry says it is the pod's; or why it cannot be read. */
async function ownFolded(
  deps: StacksDeps,
  namespace: string,
  target: Target,
): Promise<string | SummaryFailed> {
  const { pod, recordingId } = target;
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
      deps.maxFoldedBytes ?? 64 * 1024 * 1024,
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
