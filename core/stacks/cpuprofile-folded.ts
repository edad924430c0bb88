// V8's CPU profile (the DevTools protocol's Profiler.Profile, what `node --cpu-prof` writes as .cpuprofile)
// as folded stacks: each sample counted on the path from the root to the node it hit, JavaScript frames as
// `function (file:line)` and V8's own nodes as V8 names them (`(program)`, `(garbage collector)`). `(idle)`
// samples are the thread waiting, not running: they are counted apart and left out. Pure.
import type { FoldedStacks } from './folded.ts';

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  samples?: number[];
}

export interface FoldedCpuProfile {
  stacks: FoldedStacks;
  /** Samples taken while the thread was idle (left out of the stacks). */
  idle: number;
  /** Samples naming a node the profile does not have (a malformed profile). */
  unknown: number;
}

/** A file URL as a path; other URLs (node:internal, http) as they are. */
function shortUrl(url: string): string {
  return url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
}

/** A frame's name: the function (or `(anonymous)`) and where it is, 1-based like an editor's lines. */
export function frameName(frame: CpuProfileNode['callFrame']): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name;
  return `${name} (${shortUrl(frame.url)}:${frame.lineNumber + 1})`;
}

/** Folds a CPU profile; `root` names the stack's first frame (the process, as perf's comm does). */
export function cpuProfileToFolded(profile: CpuProfile, root: string): FoldedCpuProfile {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const paths = new Map<number, string | undefined>();
  const pathOf = (id: number): string | undefined => {
    if (paths.has(id)) return paths.get(id);
    const frames: string[] = [];
    let idle = false;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node === undefined) break;
      const name = node.callFrame.functionName;
      if (name === '(idle)') idle = true;
      if (name === '(root)' && parent.get(at) === undefined) break;
      frames.push(frameName(node.callFrame).replaceAll(';', ':'));
    }
    const path = idle ? undefined : [root, ...frames.reverse()].join(';');
    paths.set(id, path);
    return path;
  };
  const stacks: FoldedStacks = new Map();
  let idle = 0;
  let unknown = 0;
  for (const id of profile.samples ?? []) {
    if (!byId.has(id)) {
      unknown += 1;
      continue;
    }
    const path = pathOf(id);
    if (path === undefined) idle += 1;
    else stacks.set(path, (stacks.get(path) ?? 0) + 1);
  }
  return { stacks, idle, unknown };
}
