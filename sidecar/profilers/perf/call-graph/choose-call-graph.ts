// `callGraph: auto`: frame pointers where the recorded code keeps them, dwarf where the main binaries do not.
// The main binaries of a process are its executable and, where the executable is a launcher for a larger
// library (java and libjvm.so, a node linked to libnode.so), the libraries with more code than it. The C and
// C++ runtimes (libc, libm, libstdc++, the loader) are left out: distributions build them without frame
// pointers, and a leaf in them costs a stack its caller's frame, not everything above it.
import { readlink, readFile } from 'node:fs/promises';
import type { CallGraph, CallGraphRun } from '../../../../core/contract/recording-params.ts';
import { checkBinary, executableOf, type BinaryVerdict } from './frame-pointers.ts';
import { procDirOf } from '../../../host/live-task.ts';

export interface CallGraphDecision {
  used: CallGraphRun;
  /** Why, in words, for the status: "nginx has no frame pointers". */
  reason: string;
  /** Each binary looked at and what was found (for the recorder's log), when auto checked any. */
  checked?: BinaryVerdict[];
}

/** Libraries with more code than the executable that count as main ones, per process. */
const MAX_LIBRARIES = 3;
/** Binaries checked per recording, whatever the number of processes. */
export const MAX_BINARIES = 8;
/** A file name in a reason is cut at this length (targets name their own files). */
const MAX_NAME = 64;
const RUNTIME_LIBRARY =
  /\/(ld-linux[^/]*|ld-musl[^/]*|libc\.so[^/]*|libc\.musl[^/]*|libm\.so[^/]*|libpthread\.so[^/]*|libdl\.so[^/]*|librt\.so[^/]*|libgcc_s\.so[^/]*|libstdc\+\+\.so[^/]*|libc\+\+(abi)?\.so[^/]*)$/;

/** Bytes of executable mappings per file in /proc/PID/maps text. */
export function executableBytes(maps: string): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const line of maps.split('\n')) {
    const match = /^([0-9a-f]+)-([0-9a-f]+)\s+\S\S(\S)\S\s+\S+\s+\S+\s+(\d+)\s+(\/.*)$/.exec(line);
    if (match?.[3] !== 'x' || match[4] === '0' || match[5] === undefined) continue;
    const path = match[5].replace(/ \(deleted\)$/, '');
    const size = Number.parseInt(match[2] ?? '0', 16) - Number.parseInt(match[1] ?? '0', 16);
    bytes.set(path, (bytes.get(path) ?? 0) + size);
  }
  return bytes;
}

/** The executable, then the libraries with more code than it (largest first), runtimes left out. */
export function mainBinaries(maps: string, executable: string): string[] {
  const bytes = executableBytes(maps);
  const own = bytes.get(executable) ?? 0;
  const libraries = [...bytes]
    .filter(([path, size]) => path !== executable && size > own && !RUNTIME_LIBRARY.test(path))
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_LIBRARIES)
    .map(([path]) => path);
  return [executable, ...libraries];
}

/** "nginx", "nginx and libcrypto.so.3", "a, b, c and 2 more", and whether that is more than one. */
function namesOf(verdicts: readonly BinaryVerdict[]): { text: string; plural: boolean } {
  const names = [
    ...new Set(verdicts.map((v) => (v.name.length > MAX_NAME ? `${v.name.slice(0, MAX_NAME)}…` : v.name))),
  ];
  const shown = names.slice(0, 3);
  const more = names.length - shown.length;
  const last = shown.pop() ?? '';
  const text =
    more > 0
      ? `${[...shown, last].join(', ')} and ${more} more`
      : shown.length > 0
        ? `${shown.join(', ')} and ${last}`
        : last;
  return { text, plural: names.length > 1 };
}

function sentence(verdicts: readonly BinaryVerdict[], one: string, many: string): string {
  const { text, plural } = namesOf(verdicts);
  return `${text} ${plural ? many : one}`;
}

/** dwarf when a main binary has no frame pointers; fp otherwise, saying what could not be checked. */
export function decideCallGraph(verdicts: readonly BinaryVerdict[]): CallGraphDecision {
  const without = verdicts.filter((v) => v.framePointers === 'no');
  if (without.length > 0)
    return { used: 'dwarf', reason: sentence(without, 'has no frame pointers', 'have no frame pointers') };
  const parts: string[] = [];
  const checked = verdicts.filter((v) => v.framePointers === 'yes');
  if (checked.length > 0) parts.push(sentence(checked, 'has frame pointers', 'have frame pointers'));
  const unknown = verdicts.filter((v) => v.framePointers === 'unknown');
  const first = unknown[0];
  if (first !== undefined) parts.push(`could not check ${namesOf(unknown).text} (${first.why})`);
  return { used: 'fp', reason: parts.join('; ') || "no process's executable could be read" };
}

/** A JVM maps its runtime library; its hot code is what its JIT compiled, which has no unwind tables. */
const JVM_LIBRARY = /\/libjvm\.so$/m;
/**
 * A JVM's compiled code is walked by frame pointers or not at all (dwarf finds no unwind tables for it),
 * so a recording with a JVM among its targets walks frame pointers, and says how to keep them.
 */
export const JVM_DECISION: CallGraphDecision = {
  used: 'fp',
  reason:
    'a JVM: the code it compiles has no unwind tables for dwarf; frame pointers walk it when it runs with -XX:+PreserveFramePointer',
};

export interface ChooseDeps {
  procRoot?: string;
  check?: (root: string, path: string) => Promise<BinaryVerdict>;
}

/**
 * The call graph a recording of `pids` uses: the requested one, or for `auto` the decision on the main
 * binaries of the processes (each file checked once per mount namespace, at most MAX_BINARIES in all).
 */
export async function chooseCallGraph(
  requested: CallGraph,
  pids: readonly number[] | 'system-wide',
  deps: ChooseDeps = {},
): Promise<CallGraphDecision> {
  if (requested !== 'auto') return { used: requested, reason: 'as requested' };
  if (pids === 'system-wide')
    return { used: 'fp', reason: 'a whole-node recording walks frame pointers unless dwarf is requested' };
  const procRoot = deps.procRoot ?? '/proc';
  const check = deps.check ?? checkBinary;
  const seen = new Set<string>();
  const verdicts: BinaryVerdict[] = [];
  for (const pid of pids) {
    const dir = await procDirOf(pid, procRoot);
    const executable = await executableOf(dir);
    if (executable === undefined) continue;
    const maps = await readFile(`${dir}/maps`, 'utf8').catch(() => '');
    if (JVM_LIBRARY.test(maps)) return JVM_DECISION;
    const namespace = (await readlink(`${dir}/ns/mnt`).catch(() => undefined)) ?? String(pid);
    for (const path of mainBinaries(maps, executable)) {
      const key = `${namespace}:${path}`;
      if (seen.has(key) || seen.size >= MAX_BINARIES) continue;
      seen.add(key);
      verdicts.push(await check(`${dir}/root`, path));
    }
  }
  return { ...decideCallGraph(verdicts), checked: verdicts };
}
