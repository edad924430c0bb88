// A catalogued recording's stacks, tallied as they download: its entry (checked) and one pass over its
// stacks.folded.
import type { FurnaceApi } from '../kube-api.ts';
import type { EntryView } from './answer-schemas.ts';
import { readLines } from './folded-stream.ts';
import { getEntry, openArtifact } from './furnace-reads.ts';
import { StackTallier, type StackTally } from './stack-tally.ts';

export class NoStacksError extends Error {
  readonly code = 'ERR_NO_STACKS';
}

export async function tallyRecording(
  api: FurnaceApi,
  target: { namespace: string; id: string },
  options: { heaviestKept: number; signal?: AbortSignal },
): Promise<{ entry: EntryView; tally: StackTally }> {
  const entry = await getEntry(api, target.namespace, target.id);
  if (entry.state !== 'done')
    throw new NoStacksError(
      `recording ${entry.id} is ${entry.state}, not done: it has no stacks to read yet`,
    );
  if (!entry.artifacts.some((a) => a.name === 'stacks.folded'))
    throw new NoStacksError(
      `recording ${entry.id} has no stacks.folded (it has ${entry.artifacts.map((a) => a.name).join(', ') || 'no artifacts'})`,
    );
  const answer = await openArtifact(api, entry.namespace, entry.id, 'stacks.folded');
  const tallier = new StackTallier(options.heaviestKept);
  try {
    await readLines(answer, (line) => tallier.addLine(line), {
      what: `stacks.folded of ${entry.id}`,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    answer.destroy();
  }
  return { entry, tally: tallier.result() };
}
