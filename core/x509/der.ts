// The few DER encodings an X.509 certificate needs (Node can verify certificates but not issue them):
// the operator's CA and serving certificates and the sidecar's self-signed one are built from these.

/** A tag, the length of the content, the content. */
export function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const length = body.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), body]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), body]);
}

export const sequence = (...content: Buffer[]): Buffer => der(0x30, ...content);
export const octetString = (content: Buffer): Buffer => der(0x04, content);
export const booleanTrue = (): Buffer => der(0x01, Buffer.from([0xff]));
/** Context-specific constructed tag `[n]`, as used for EXPLICIT fields. */
export const explicit = (n: number, content: Buffer): Buffer => der(0xa0 | n, content);

export function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const group = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) group.unshift(0x80 | (value & 0x7f));
    bytes.push(...group);
  }
  return der(0x06, Buffer.from(bytes));
}

/** A non-negative integer given as big-endian bytes, in minimal DER (no padding byte unless needed). */
export function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const trimmed = bytes.subarray(start);
  const pad = ((trimmed[0] ?? 0) & 0x80) !== 0 ? Buffer.from([0]) : Buffer.alloc(0);
  return der(0x02, pad, trimmed);
}

/** UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
export function time(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050
    ? der(0x17, Buffer.from(`${text.slice(2)}Z`, 'ascii'))
    : der(0x18, Buffer.from(`${text}Z`, 'ascii'));
}

/** A Name with one common name (UTF8String). */
export function commonName(name: string): Buffer {
  return sequence(der(0x31, sequence(oid('2.5.4.3'), der(0x0c, Buffer.from(name, 'utf8')))));
}

/** A BIT STRING of named bits (bit 0 is the high bit of the first byte), trailing zero bits dropped. */
export function namedBits(bits: readonly number[]): Buffer {
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  const unused = 7 - (highest & 7);
  return der(0x03, Buffer.from([unused]), bytes);
}

export function pem(label: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
