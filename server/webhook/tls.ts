// The webhook's serving certificate: from files that are re-read when they change on disk (a rotated
// Secret takes effect without a restart), or generated for local runs and tests.
//
// Stable API (server/main.ts):
//   watchTlsFiles({ certFile, keyFile, onError? }): Promise<TlsSource>   — certificate from disk, hot-reloaded
//   generateDevCertificates(options?): Promise<DevCertificates>          — CA + serving cert; caPem is the caBundle
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createSecureContext } from 'node:tls';

export { generateDevCertificates } from './dev-certificates.ts';
export type { DevCertificates, DevCertificateOptions } from './dev-certificates.ts';

export interface TlsMaterial {
  key: string;
  cert: string;
}

export interface TlsSource {
  current(): TlsMaterial;
  /** Calls listener with each new key pair; returns the unsubscribe function. */
  subscribe(listener: (material: TlsMaterial) => void): () => void;
  close(): void;
}

export function isTlsSource(value: TlsMaterial | TlsSource): value is TlsSource {
  return typeof (value as TlsSource).current === 'function';
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** A changed pair that cannot be used (half-written, key and certificate mismatched): kept the old one. */
  onError?: (error: Error) => void;
  /** Safety net for file systems without change events. */
  pollIntervalMs?: number;
}

async function readPair(files: TlsFiles): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
  // Throws when the key does not belong to the certificate, or either is not PEM.
  createSecureContext({ cert, key });
  return { cert, key };
}

/**
 * Watches the directories (not the files): a Kubernetes Secret volume swaps a `..data` symlink and
 * editors and cert-manager replace files by rename, neither of which a watch on the file itself sees.
 */
export async function watchTlsFiles(files: TlsFiles): Promise<TlsSource> {
  let material = await readPair(files);
  const listeners = new Set<(m: TlsMaterial) => void>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const reload = async (): Promise<void> => {
    try {
      const next = await readPair(files);
      if (closed || (next.cert === material.cert && next.key === material.key)) return;
      material = next;
      for (const listener of listeners) listener(next);
    } catch (error) {
      files.onError?.(error as Error);
    }
  };
  const schedule = (delayMs: number): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), delayMs);
    timer.unref();
  };

  const watchers: FSWatcher[] = [...new Set([dirname(files.certFile), dirname(files.keyFile)])].map((dir) =>
    watch(dir, { persistent: false }, () => schedule(50)),
  );
  const poll = setInterval(() => schedule(0), files.pollIntervalMs ?? 30_000);
  poll.unref();

  return {
    current: () => material,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      for (const w of watchers) w.close();
      listeners.clear();
    },
  };
}
