// The debug files uploaded to the recording's namespace, for perf's symbol step: read from the server the
// recorder uploads to, with the token it uploads that recording with (a sidecar's registration, an agent's
// grant for the recording), so the server knows the namespace and answers with that namespace's file only.
// None without a server (a recorder run alone).
import { recordingSymbolsBase } from '../../core/contract/symbols.ts';
import type { DiskBudget } from '../host/disk-budget.ts';
import { serverFetch } from '../server-link/server-fetch.ts';
import type { DebugInfoSource } from '../symbols/debuginfo-cache.ts';
import { uploadedSymbols } from '../symbols/uploaded-symbols.ts';
import type { ControllerDeps } from './controller-deps.ts';

export function namespaceSymbols(
  deps: Pick<ControllerDeps, 'config' | 'serverToken' | 'readServerCa'>,
  budget: Pick<DiskBudget, 'free'>,
): { uploadedSymbols?: (recordingId: string, dir: string) => DebugInfoSource } {
  const { config } = deps;
  const serverUrl = config.serverUrl;
  if (serverUrl === undefined) return {};
  return {
    uploadedSymbols: (recordingId, dir) =>
      uploadedSymbols({
        base: recordingSymbolsBase(serverUrl, recordingId),
        dir,
        maxBytes: config.debugInfo.maxBytes,
        timeoutMs: config.debugInfo.timeoutMs,
        free: () => budget.free(),
        fetch: serverFetch({
          token: () => deps.serverToken(recordingId),
          readCa: () => deps.readServerCa?.() ?? Promise.resolve(config.serverCa),
        }),
      }),
  };
}
