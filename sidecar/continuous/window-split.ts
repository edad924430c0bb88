// One window's stacks, collapsed with the PID in the root frame (`comm-pid;…`), split by the pod and
// container each PID belongs to, and the PID taken out again (`comm;…`, as a recording's stacks.folded
// has it). Samples of a PID no selected container owns (it exited before the agent saw it) are counted,
// not guessed. Pure.
import type { FoldedStacks } from '../../core/stacks/folded.ts';

export interface PidOwner {
  /** `<pod UID>/<container name>`: the key of the profile the PID's samples go to. */
  key: string;
}

export interface SplitWindow {
  /** Folded stacks per owner key. */
  byOwner: Map<string, FoldedStacks>;
  /** Samples whose PID no selected container owns. */
  unattributed: number;
}

const ROOT_WITH_PID = /^(.*)-(\d+)$/;

/** The PIDs of `comm-pid;…` stacks' root frames. Pure. */
export function pidsOf(stacks: FoldedStacks): Set<number> {
  const pids = new Set<number>();
  for (const stack of stacks.keys()) {
    const cut = stack.indexOf(';');
    const pid = ROOT_WITH_PID.exec(cut < 0 ? stack : stack.slice(0, cut))?.[2];
    if (pid !== undefined) pids.add(Number(pid));
  }
  return pids;
}

/** Splits `comm-pid;…` stacks by `ownerOf(pid)`; the root frame loses its `-pid`. */
export function splitByOwner(
  stacks: FoldedStacks,
  ownerOf: (pid: number) => PidOwner | undefined,
): SplitWindow {
  const byOwner = new Map<string, FoldedStacks>();
  let unattributed = 0;
  for (const [stack, count] of stacks) {
    const cut = stack.indexOf(';');
    const root = cut < 0 ? stack : stack.slice(0, cut);
    const match = ROOT_WITH_PID.exec(root);
    const owner = match?.[2] === undefined ? undefined : ownerOf(Number(match[2]));
    if (owner === undefined || match?.[1] === undefined) {
      unattributed += count;
      continue;
    }
    const key = match[1] + (cut < 0 ? '' : stack.slice(cut));
    const profile = byOwner.get(owner.key) ?? new Map<string, number>();
    profile.set(key, (profile.get(key) ?? 0) + count);
    byOwner.set(owner.key, profile);
  }
  return { byOwner, unattributed };
}
