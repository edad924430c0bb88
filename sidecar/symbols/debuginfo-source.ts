// The recorder's one source of debug files for stripped binaries, made from its configuration: the
// debuginfod servers of DEBUGINFOD_URLS behind the cache in the data directory; none without servers.
import { createDebugInfoCache, type DebugInfoSource } from './debuginfo-cache.ts';
import type { DebugInfoConfig } from './debuginfo-config.ts';

/** The cache may hold at most this share of the data directory's disk budget. */
export const DEBUGINFO_CACHE_SHARE = 0.25;

export function recorderDebugInfo(
  config: { dataDir: string; diskBudgetBytes: number; debugInfo: DebugInfoConfig },
  budget: { free(): Promise<number> },
): DebugInfoSource | undefined {
  if (config.debugInfo.urls.length === 0) return undefined;
  return createDebugInfoCache({
    dir: `${config.dataDir}/debuginfo`,
    debuginfod: {
      urls: config.debugInfo.urls,
      maxBytes: config.debugInfo.maxBytes,
      timeoutMs: config.debugInfo.timeoutMs,
    },
    maxCacheBytes: Math.floor(config.diskBudgetBytes * DEBUGINFO_CACHE_SHARE),
    free: () => budget.free(),
  });
}
