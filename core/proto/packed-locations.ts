// Every stack's location list as packed varints, encoded once for both exported formats: pprof's
// Sample.location_id and OTLP's Stack.location_indices are the same list (frame i is location i + 1 in
// both, leaf first) and a packed repeated field's bytes do not depend on its field number, so a recording
// exported in both formats encodes its ~175,000 frame ids once, not twice, and each writer copies a
// stack's bytes into its own field. Encoded with the library's BinaryWriter. Pure.
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { stackCount, type InternedStacks } from '../stacks/interned.ts';

const packed = new WeakMap<InternedStacks, readonly Uint8Array[]>();

function encode(stacks: InternedStacks): Uint8Array[] {
  const { frames, offsets } = stacks;
  const w = new BinaryWriter();
  const out: Uint8Array[] = [];
  for (let s = 0; s < stackCount(stacks); s++) {
    // Interned root first, as a reader lists a stack; both formats list it innermost first.
    for (let f = (offsets[s + 1] as number) - 1; f >= (offsets[s] as number); f--)
      w.uint32((frames[f] as number) + 1);
    out.push(w.finish());
  }
  return out;
}

/** Stack s's location ids (pprof) or indices (OTLP), leaf first, as a packed field's payload; kept per tables. */
export function packedLocations(stacks: InternedStacks): readonly Uint8Array[] {
  let lists = packed.get(stacks);
  if (lists === undefined) {
    lists = encode(stacks);
    packed.set(stacks, lists);
  }
  return lists;
}
