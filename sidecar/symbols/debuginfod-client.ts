// A debuginfod client: `GET <server>/buildid/<id>/debuginfo` on each server of DEBUGINFOD_URLS in turn, the
// answer streamed to a file within a size cap, then checked to be an ELF file with a symbol table and the
// build id that was asked for (a server is a trust boundary: a wrong or hostile answer is dropped).
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { readElfFacts } from './elf-facts.ts';

export interface DebuginfodOptions {
  /** Server base URLs, tried in order (DEBUGINFOD_URLS). */
  urls: readonly string[];
  /** Largest debug file taken, bytes. */
  maxBytes: number;
  /** Per server: the time to the whole answer. */
  timeoutMs: number;
  /** Instead of the global fetch (a test's own loopback agent); the global one when unset. */
  fetch?: typeof fetch;
}

export type FetchOutcome =
  { found: true; url: string; bytes: number } | { found: false; tried: { url: string; why: string }[] };

/** What the server's log shows for the recorder's requests. */
export const DEBUGINFOD_USER_AGENT = 'furnace-recorder';

/** 1 to 64 bytes of lower-case hex: what a build id is. */
export const BUILD_ID = /^[0-9a-f]{2,128}$/;

function capped(maxBytes: number): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(new Error(`the debug file passed ${maxBytes} bytes (the cap)`));
      else done(null, chunk);
    },
  });
}

async function fetchOne(
  options: DebuginfodOptions,
  base: string,
  buildId: string,
  dest: string,
): Promise<{ ok: true; bytes: number } | { ok: false; why: string }> {
  const temp = `${dest}.part`;
  try {
    const answer = await (options.fetch ?? fetch)(`${base}/buildid/${buildId}/debuginfo`, {
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'follow',
      headers: { 'user-agent': DEBUGINFOD_USER_AGENT },
    });
    if (!answer.ok || answer.body === null) {
      await answer.body?.cancel();
      return { ok: false, why: `HTTP ${answer.status}` };
    }
    const length = Number(answer.headers.get('content-length') ?? Number.NaN);
    if (length > options.maxBytes) {
      await answer.body.cancel();
      return { ok: false, why: `${length} bytes, over the cap of ${options.maxBytes}` };
    }
    const body = Readable.fromWeb(answer.body as WebReadableStream<Uint8Array>);
    await pipeline(body, capped(options.maxBytes), createWriteStream(temp, { mode: 0o600 }));
    const facts = await readElfFacts(temp);
    if (facts.buildId !== buildId)
      return { ok: false, why: `the answer's build id is ${facts.buildId ?? 'missing'}, not ${buildId}` };
    if (!facts.hasSymbolTable) return { ok: false, why: 'the answer has no symbol table' };
    await rename(temp, dest);
    return { ok: true, bytes: (await stat(dest)).size };
  } catch (error) {
    return { ok: false, why: error instanceof Error ? error.message : String(error) };
  } finally {
    await rm(temp, { force: true });
  }
}

/** Fetches the debug file of `buildId` into `dest` from the first server that has a valid one. */
export async function fetchDebugInfo(
  options: DebuginfodOptions,
  buildId: string,
  dest: string,
): Promise<FetchOutcome> {
  if (!BUILD_ID.test(buildId)) return { found: false, tried: [{ url: '', why: `bad build id ${buildId}` }] };
  const tried: { url: string; why: string }[] = [];
  for (const url of options.urls) {
    const outcome = await fetchOne(options, url, buildId, dest);
    if (outcome.ok) return { found: true, url, bytes: outcome.bytes };
    tried.push({ url, why: outcome.why });
  }
  return { found: false, tried };
}
