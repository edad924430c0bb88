// The debug files a namespace's developers uploaded to the server (docs/profilers.md, "Symbols uploaded to a
// namespace"), as a source for one recording: the server serves them in a debuginfod server's layout under
// the recording, and answers with the file of the namespace the recorder's token proves, so the recorder
// asks by build id alone and cannot name another namespace. A fetched file is checked as any debuginfod
// answer (size cap, ELF, the build id asked for, a symbol table) and kept in the recording's directory
// only: an upload deleted or replaced on the server is not used by the next recording.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { DebugInfoFound, DebugInfoSource } from './debuginfo-cache.ts';
import { BUILD_ID, fetchDebugInfo } from './debuginfod-client.ts';

/** The directory of a recording's own (or of its work directory) where the fetched files go. */
export const UPLOADED_DIR = 'uploaded-symbols';

/** How a file from the server is named in the recording's warnings. */
export const UPLOADED_ORIGIN = "the namespace's uploaded symbols";

export interface UploadedSymbolsOptions {
  /** The recording's base URL on the server (core/contract/symbols.ts recordingSymbolsBase). */
  base: string;
  /** Where fetched files go: a directory of the recording's, removed with its symbol files. */
  dir: string;
  maxBytes: number;
  timeoutMs: number;
  /** Bytes that may be written now (the disk budget); a file takes at most half. */
  free(): Promise<number>;
  /** The server's GETs with the recorder's token and CA (server-link/server-fetch.ts). */
  fetch: typeof fetch;
}

export function uploadedSymbols(options: UploadedSymbolsOptions): DebugInfoSource {
  return {
    async find(buildId): Promise<DebugInfoFound> {
      if (!BUILD_ID.test(buildId)) return { found: false, why: `bad build id ${buildId}` };
      const path = join(options.dir, `${buildId}.debug`);
      if ((await stat(path).catch(() => undefined))?.isFile() === true)
        return { found: true, path, origin: UPLOADED_ORIGIN };
      await mkdir(options.dir, { recursive: true });
      const maxBytes = Math.floor(Math.min(options.maxBytes, (await options.free()) / 2));
      const outcome = await fetchDebugInfo(
        { urls: [options.base], maxBytes, timeoutMs: options.timeoutMs, fetch: options.fetch },
        buildId,
        path,
      );
      if (outcome.found) return { found: true, path, origin: UPLOADED_ORIGIN };
      const why = outcome.tried.map((t) => t.why).join('; ');
      return {
        found: false,
        why: why === 'HTTP 404' ? 'not uploaded to the namespace' : `the namespace's uploads: ${why}`,
      };
    },
    // Fetched at the stop: an upload made while the recording ran is still used.
    prefetch: () => Promise.resolve(),
  };
}

/** The first source that has a build id's file, in order; a miss says why each had none. */
export function firstOf(sources: readonly DebugInfoSource[]): DebugInfoSource {
  return {
    async find(buildId) {
      const whys: string[] = [];
      for (const source of sources) {
        const found = await source.find(buildId);
        if (found.found) return found;
        whys.push(found.why);
      }
      return { found: false, why: whys.join('; ') };
    },
    async prefetch(buildId) {
      await Promise.all(sources.map((source) => source.prefetch(buildId)));
    },
  };
}
