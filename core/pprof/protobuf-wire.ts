// A small reader of the protocol buffers wire format (varints, length-delimited fields, fixed 32/64-bit
// fields), enough to walk a pprof profile without a schema compiler. Every read is bounds-checked: the
// bytes come from the profiled program, which need not be friendly. Pure.

export class WireFormatError extends Error {
  constructor(message: string, offset: number) {
    super(`malformed protocol buffer at byte ${offset}: ${message}`);
    this.name = 'WireFormatError';
  }
}

/** One field as it is on the wire: a varint's value, or the bytes of a length-delimited or fixed field. */
export type WireField =
  | { number: number; wireType: 0; value: number; signed: number }
  | { number: number; wireType: 1 | 2 | 5; bytes: Uint8Array };

const TWO_32 = 2 ** 32;

/**
 * Reads a varint at `offset`; returns its value as an unsigned number and as an int64 (two's complement:
 * negative values take 10 bytes), and the next offset. Numbers are exact up to 2^53 and rounded above:
 * pprof's ids and values fit; times in nanoseconds lose their last digits.
 */
export function readVarint(
  bytes: Uint8Array,
  offset: number,
): { value: number; signed: number; next: number } {
  let low = 0;
  let high = 0;
  let at = offset;
  for (let shift = 0; shift < 70; shift += 7) {
    const byte = bytes[at];
    if (byte === undefined) throw new WireFormatError('varint runs past the end', offset);
    at++;
    const bits = byte & 0x7f;
    if (shift < 28) low |= bits << shift;
    else if (shift === 28) {
      low |= (bits & 0x0f) << 28;
      high |= bits >> 4;
    } else high |= bits << (shift - 32);
    if ((byte & 0x80) === 0)
      return {
        value: (high >>> 0) * TWO_32 + (low >>> 0),
        signed: (high | 0) * TWO_32 + (low >>> 0),
        next: at,
      };
  }
  throw new WireFormatError('varint longer than 10 bytes', offset);
}

/** Every field of a message, in order; nested messages and strings come as their bytes. */
export function* readFields(bytes: Uint8Array): Generator<WireField> {
  let at = 0;
  while (at < bytes.length) {
    const start = at;
    const key = readVarint(bytes, at);
    at = key.next;
    const number = Math.floor(key.value / 8);
    const wireType = key.value % 8;
    if (number === 0) throw new WireFormatError('field number 0', start);
    if (wireType === 0) {
      const varint = readVarint(bytes, at);
      at = varint.next;
      yield { number, wireType, value: varint.value, signed: varint.signed };
      continue;
    }
    let length: number;
    if (wireType === 1) length = 8;
    else if (wireType === 5) length = 4;
    else if (wireType === 2) {
      const prefix = readVarint(bytes, at);
      at = prefix.next;
      length = prefix.value;
    } else throw new WireFormatError(`unsupported wire type ${wireType}`, start);
    if (length > bytes.length - at)
      throw new WireFormatError(`field ${number} of ${length} bytes runs past the end`, start);
    yield { number, wireType, bytes: bytes.subarray(at, at + length) };
    at += length;
  }
}

/**
 * The values of a repeated integer field (uint64, or int64 when `signed`): packed (one length-delimited
 * field) or one varint per field.
 */
export function repeatedVarints(field: WireField, signed = false): number[] {
  if (field.wireType === 0) return [signed ? field.signed : field.value];
  if (field.wireType !== 2) throw new WireFormatError(`field ${field.number} is not a varint`, 0);
  const values: number[] = [];
  for (let at = 0; at < field.bytes.length;) {
    const varint = readVarint(field.bytes, at);
    values.push(signed ? varint.signed : varint.value);
    at = varint.next;
  }
  return values;
}

/** A varint field's value (uint64, or int64 when `signed`); another wire type where a varint belongs is refused. */
export function varintOf(field: WireField, signed = false): number {
  if (field.wireType !== 0) throw new WireFormatError(`field ${field.number} is not a varint`, 0);
  return signed ? field.signed : field.value;
}

/** A length-delimited field's bytes (a nested message or a string). */
export function bytesOf(field: WireField): Uint8Array {
  if (field.wireType !== 2) throw new WireFormatError(`field ${field.number} is not length-delimited`, 0);
  return field.bytes;
}
