// A stored record as the catalog's index holds it: what lists, sorts, filters and retention read stays a
// plain CatalogEntry, with its repeated strings shared; the artifact store's keys, read only to open or
// remove an artifact, are packed. A bucket-backed entry of a real perf recording (nine artifacts, each
// under `<root><id>/<name>.<16 hex>`) took 2,247 bytes of heap as parsed, 100,000 of them 214 MiB, far
// over the image's heap of 128 MiB (docs/benchmarks.md, `bench:catalog`).
//
// - Strings parsed from JSON are new strings each time (V8 does not dedupe them): the state, artifact
//   names and profiler become the contract's own constants; namespace and pod the (shared) owner's;
//   container, end reason, starter and recorded processes one kept copy each, up to MAX_SHARED values.
// - The keys: a root (kept once), then per artifact one character for its name and the 8 bytes of its
//   random suffix as 8 one-byte characters, in one string (81 characters for nine, against nine strings
//   of about 60). Keys of any other form are held as they are.
import { ARTIFACT_NAMES, type ArtifactName } from '../../core/contract/names.ts';
import { PROFILERS_RUN } from '../../core/contract/recording-params.ts';
import { RECORDING_STATES, type CatalogEntry } from '../../core/contract/recording.ts';
import { sharedCopies, sharedStrings } from '../kube/shared-copies.ts';
import type { StoredRecording } from './catalog-entry.ts';

/** Distinct values kept per kind of shared string or value (pods, containers, processes…). */
const MAX_SHARED = 65_536;

export interface HeldRecord {
  entry: CatalogEntry;
  owner: StoredRecording['owner'];
  receivedAt: number;
  /** The keys when they are not of the packed form. */
  objects: StoredRecording['objects'];
  /** What every packed key starts with before the id. */
  keyRoot: string | undefined;
  /** Per artifact: its index in ARTIFACT_NAMES, then its key's suffix's 8 bytes, as one-byte characters. */
  keyTails: string | undefined;
}

const sharedString = sharedStrings(MAX_SHARED);
const sharedTargets = sharedCopies(MAX_SHARED);

/** The contract's own string equal to `value`, or a kept copy. */
function constantOr<T extends string>(constants: readonly T[], value: T): T {
  return constants.find((c) => c === value) ?? (sharedString(value) as T);
}

/** The entry with its repeated strings and processes shared (the same fields, the same values). */
function sharedEntry(entry: CatalogEntry, owner: StoredRecording['owner']): CatalogEntry {
  const shared: CatalogEntry = {
    ...entry,
    namespace: entry.namespace === owner.namespace ? owner.namespace : sharedString(entry.namespace),
    pod: entry.pod === owner.pod ? owner.pod : sharedString(entry.pod),
    state: constantOr(RECORDING_STATES, entry.state),
    artifacts: entry.artifacts.map(({ name, bytes }) => ({ name: constantOr(ARTIFACT_NAMES, name), bytes })),
  };
  if (entry.arriving !== undefined)
    shared.arriving = entry.arriving.map((name) => constantOr(ARTIFACT_NAMES, name));
  if (entry.profiler !== undefined) shared.profiler = constantOr(PROFILERS_RUN, entry.profiler);
  if (entry.container !== undefined) shared.container = sharedString(entry.container);
  if (entry.endReason !== undefined) shared.endReason = sharedString(entry.endReason);
  if (entry.callGraphReason !== undefined) shared.callGraphReason = sharedString(entry.callGraphReason);
  if (entry.startedBy !== undefined) shared.startedBy = sharedString(entry.startedBy);
  if (entry.targets !== undefined) shared.targets = sharedTargets(entry.targets);
  return shared;
}

const SUFFIX = /^[0-9a-f]{16}$/;

/** The keys packed, or undefined when one of them is not `<root><id>/<name>.<16 hex>` with one root. */
export function packKeys(
  id: string,
  objects: NonNullable<StoredRecording['objects']>,
): { keyRoot: string; keyTails: string } | undefined {
  let root: string | undefined;
  const codes: number[] = [];
  for (const [name, key] of Object.entries(objects)) {
    const tail = `${id}/${name}.`;
    const at = key.length - tail.length - 16;
    const suffix = key.slice(at + tail.length);
    if (at < 0 || !key.startsWith(tail, at) || !SUFFIX.test(suffix)) return undefined;
    const keyRoot = key.slice(0, at);
    if (root !== undefined && root !== keyRoot) return undefined;
    const named = ARTIFACT_NAMES.indexOf(name as ArtifactName);
    if (named < 0) return undefined;
    root = keyRoot;
    codes.push(named);
    for (let i = 0; i < 16; i += 2) codes.push(parseInt(suffix.slice(i, i + 2), 16));
  }
  if (root === undefined) return undefined;
  // One flat string (a concatenation would leave a tree of pieces).
  return { keyRoot: sharedString(root), keyTails: String.fromCharCode(...codes) };
}

/** The keys of packKeys's packed form, as they were. */
export function unpackKeys(
  id: string,
  keyRoot: string,
  keyTails: string,
): NonNullable<StoredRecording['objects']> {
  const objects: NonNullable<StoredRecording['objects']> = {};
  for (let at = 0; at < keyTails.length; at += 9) {
    const name = ARTIFACT_NAMES[keyTails.charCodeAt(at)] as ArtifactName;
    let suffix = '';
    for (let i = 1; i <= 8; i++)
      suffix += keyTails
        .charCodeAt(at + i)
        .toString(16)
        .padStart(2, '0');
    objects[name] = `${keyRoot}${id}/${name}.${suffix}`;
  }
  return objects;
}

/** The record as the index holds it. */
export function holdRecord(record: StoredRecording): HeldRecord {
  const entry = sharedEntry(record.entry, record.owner);
  const packed = record.objects && packKeys(entry.id, record.objects);
  return {
    entry,
    owner: record.owner,
    receivedAt: record.receivedAt,
    objects: packed ? undefined : record.objects,
    keyRoot: packed?.keyRoot,
    keyTails: packed?.keyTails,
  };
}

/** The stored record a held one stands for (a new object; its entry is the one held). */
export function storedRecordOf(held: HeldRecord): StoredRecording {
  const { entry, owner, receivedAt, keyRoot, keyTails } = held;
  const objects =
    keyRoot !== undefined && keyTails !== undefined ? unpackKeys(entry.id, keyRoot, keyTails) : held.objects;
  return objects ? { entry, owner, receivedAt, objects } : { entry, owner, receivedAt };
}
