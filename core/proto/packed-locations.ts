// Every stack's location list as packed varints, encoded once for both exported formats: pprof's
// Sample.location_id and OTLP's Stack.location_indices are the same list (frame i is location i + 1 in
// both, leaf first) and a packed repeated field's bytes do not depend on its field number, so a recording
// exported in both formats encodes its ~175,000 frame ids once, not twice, and each writer copies a
// stack's bytes into its own field. Encoded with the library's BinaryWriter, every list length-delimited
// one after the other in a buffer per thousand stacks, and read back as views into it with its
// BinaryReader: a few allocations for all stacks rather than one buffer per stack (on the bench's
// recording, 3,501 buffers and about 1 MB that a cold export allocated and did not free before it ended).
// Pure.
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { stackCount, type InternedStacks } from '../stacks/interned.ts';

const packed = new WeakMap<InternedStacks, readonly Uint8Array[]>();

/**
 * Stacks per buffer of packed lists: about 100 kB on the bench's recording, so the writer's buffer stays at
 * 128 kB instead of doubling up to hold every list (512 kB, and 0.5 MB more allocated on the way there).
 */
const STACKS_PER_BUFFER = 1024;

function encode(stacks: InternedStacks, w: BinaryWriter): Uint8Array[] {
  const { frames, offsets } = stacks;
  const count = stackCount(stacks);
  const out = new Array<Uint8Array>(count);
  for (let first = 0; first < count; first += STACKS_PER_BUFFER) {
    const end = Math.min(count, first + STACKS_PER_BUFFER);
    for (let s = first; s < end; s++) {
      w.fork();
      // Interned root first, as a reader lists a stack; both formats list it innermost first.
      for (let f = (offsets[s + 1] as number) - 1; f >= (offsets[s] as number); f--)
        w.uint32((frames[f] as number) + 1);
      w.join();
    }
    const reader = new BinaryReader(w.finish());
    for (let s = first; s < end; s++) out[s] = reader.bytes();
  }
  return out;
}

/**
 * Stack s's location ids (pprof) or indices (OTLP), leaf first, as a packed field's payload; kept per tables.
 * The first call encodes them with `writer`, which must hold nothing yet (it is reset when done and keeps
 * the room it grew to, which a profile written next with it then uses).
 */
export function packedLocations(stacks: InternedStacks, writer = new BinaryWriter()): readonly Uint8Array[] {
  let lists = packed.get(stacks);
  if (lists === undefined) {
    lists = encode(stacks, writer);
    packed.set(stacks, lists);
  }
  return lists;
}
