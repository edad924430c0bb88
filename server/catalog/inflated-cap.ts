// An upload that viewers inflate (the UI's flame tree, gzipped) is inflated once on its way in and
// refused when it inflates past the limit the viewers also hold to, or is not gzip at all: a small
// upload that inflates to gigabytes would otherwise cost every viewer that memory. The bytes pass on
// unchanged; only the inflated size is counted.
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FurnaceError } from '../../core/contract/errors.ts';

export function capInflated(name: string, maxBytes: number, setting: string): Transform {
  const gunzip = createGunzip();
  let inflated = 0;
  let failure: FurnaceError | undefined;
  // The callback of the chunk or the end being inflated: answered once, whichever comes first.
  let waiting: (() => void) | undefined;
  const wake = (): void => {
    const next = waiting;
    waiting = undefined;
    next?.();
  };
  const fail = (error: FurnaceError): void => {
    failure ??= error;
    gunzip.destroy();
    wake();
  };
  gunzip.on('data', (chunk: Buffer) => {
    inflated += chunk.length;
    if (inflated > maxBytes)
      fail(
        new FurnaceError(
          'ERR_PAYLOAD_TOO_LARGE',
          `${name} inflates to more than ${maxBytes} bytes, the most a viewer inflates (${setting})`,
          { field: name, limit: maxBytes },
        ),
      );
  });
  gunzip.on('error', (error) => {
    fail(new FurnaceError('ERR_INVALID_ARTIFACT', `${name} is not gzip: ${error.message}`, { field: name }));
  });
  const wait = (callback: TransformCallback, chunk?: Buffer): void => {
    if (failure) {
      callback(failure);
      return;
    }
    waiting = () => callback(failure ?? null, failure ? undefined : chunk);
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      wait(callback, chunk);
      if (!failure) gunzip.write(chunk, wake);
    },
    flush(callback: TransformCallback) {
      wait(callback);
      if (failure) return;
      gunzip.once('end', wake);
      gunzip.end();
    },
  });
}
