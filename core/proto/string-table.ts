// A profile's string table (pprof's Profile.string_table, OTLP's ProfilesDictionary.string_table) written
// with the library's BinaryWriter: "" first, the frame names, then the other texts (core/stacks/interned.ts
// decides the order). One function for both formats, so the second format written runs code the first
// one has already made fast. Pure.
import { WireType, type BinaryWriter } from '@bufbuild/protobuf/wire';
import type { ProfileStrings } from '../stacks/interned.ts';

/** Strings between two calls of `cut`: about 50 kB of frame names on the bench's recording. */
const STRINGS_PER_PIECE = 512;

/**
 * Every text of the table as a repeated string field `field`, in table order; `cut` (if any) takes what the
 * writer holds as a piece every few hundred frame names, so the table never needs the writer's buffer to
 * grow to hold it whole (240 kB of names on the bench's recording).
 */
export function writeStringTable(
  w: BinaryWriter,
  field: number,
  strings: ProfileStrings,
  cut?: () => void,
): void {
  w.tag(field, WireType.LengthDelimited).string('');
  const { names } = strings.frames;
  for (let i = 0; i < names.length; i++) {
    if (cut !== undefined && i % STRINGS_PER_PIECE === STRINGS_PER_PIECE - 1) cut();
    w.tag(field, WireType.LengthDelimited).string(names[i] as string);
  }
  const { extra } = strings;
  for (let i = 0; i < extra.length; i++) w.tag(field, WireType.LengthDelimited).string(extra[i] as string);
}
