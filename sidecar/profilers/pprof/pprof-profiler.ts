// The pprof profiler: one GET of the target's own net/http/pprof endpoint on the pod's network (the sidecar
// shares it, so 127.0.0.1), kept as profile.pb.gz for `go tool pprof`, decoded into folded stacks. A CPU
// profile takes the recording's duration (`?seconds=N`), as do allocs, mutex and block (Go's delta of its
// cumulative profile over that time); heap and goroutine profiles are snapshots.
import { readFile, rm } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { pprofToFolded } from '../../../core/pprof/pprof-folded.ts';
import type { PprofProfile } from '../../../core/pprof/profile.ts';
import {
  PPROF_TIMED_KINDS,
  resolvePprofParams,
  type PprofParams,
  type RecordingParams,
} from '../../../core/contract/recording-params.ts';
import type { SidecarConfig } from '../../config.ts';
import { outputFileCap, type DiskBudget } from '../../host/disk-budget.ts';
import { fetchPprof, fetchText, type TlsMaterial } from './pprof-fetch.ts';
import { readPprofTls } from './pprof-tls.ts';
import type { PlanContext, PlannedProfile, ProfileOutput, Profiler, RunContext } from '../profiler.ts';

/** The protobuf library and the generated pprof schema load with the first pprof recording, not at start. */
async function loadDecoder(): Promise<(bytes: Uint8Array) => PprofProfile> {
  return (await import('../../../core/pprof/profile.ts')).decodeProfile;
}

export interface PprofProfilerDeps {
  config: Pick<SidecarConfig, 'mode' | 'maxPerfDataBytes' | 'pprofTlsDir'>;
  budget: DiskBudget;
  /** The target's address: 127.0.0.1 for a sidecar (the pod's own network); the pod IP for an agent. */
  host?: string;
}

/** Largest decompressed profile decoded, bytes: a gzip bomb stops here. */
export const MAX_DECODED_PROFILE_BYTES = 256 * 1024 * 1024;
/** What a CPU profile gets beyond its seconds to be encoded and sent, ms; and a snapshot in all. */
export const PPROF_GRACE_MS = 30_000;
const PROBE_TIMEOUT_MS = 2000;

export interface PprofEndpoint {
  settings: PprofParams;
  url: string;
  tls?: TlsMaterial;
}

function origin(settings: PprofParams, host: string): string {
  const address = host.includes(':') ? `[${host}]` : host;
  return `${settings.scheme}://${address}:${settings.port}`;
}

/** Where a recording's profile comes from: the URL with `seconds` for a CPU profile, and its TLS material. */
export async function pprofEndpoint(
  deps: PprofProfilerDeps,
  params: RecordingParams,
): Promise<PprofEndpoint> {
  const settings = resolvePprofParams(params.pprof ?? {});
  const query = PPROF_TIMED_KINDS.includes(settings.kind) ? `?seconds=${params.durationSeconds}` : '';
  const tls = await readPprofTls(deps.config.pprofTlsDir, settings.tls);
  return {
    settings,
    url: `${origin(settings, deps.host ?? '127.0.0.1')}${settings.path}${query}`,
    ...(tls === undefined ? {} : { tls }),
  };
}

/**
 * Whether the target serves pprof: its index (the directory of the profile's path, `/debug/pprof/`)
 * answers 200 and lists profiles. Never the profile itself, which would start a CPU profile.
 */
export async function probePprof(
  deps: PprofProfilerDeps,
  params: RecordingParams,
): Promise<{ found: boolean; reason: string }> {
  const endpoint = await pprofEndpoint(deps, params);
  const path = endpoint.settings.path;
  const index = `${origin(endpoint.settings, deps.host ?? '127.0.0.1')}${path.slice(0, path.lastIndexOf('/') + 1)}`;
  try {
    const { status, text } = await fetchText(index, endpoint.tls, PROBE_TIMEOUT_MS);
    if (status === 200 && /goroutine|heap|profile/.test(text))
      return { found: true, reason: `${index} lists profiles` };
    return { found: false, reason: `${index} answered ${status} without a pprof index` };
  } catch (error) {
    return { found: false, reason: (error as Error).message };
  }
}

function unpack(raw: Buffer): Buffer {
  const gzipped = raw[0] === 0x1f && raw[1] === 0x8b;
  return gzipped ? gunzipSync(raw, { maxOutputLength: MAX_DECODED_PROFILE_BYTES }) : raw;
}

function stopMessage(endpoint: PprofEndpoint, seconds: number): string {
  const { kind } = endpoint.settings;
  if (!PPROF_TIMED_KINDS.includes(kind)) return `stopped before ${endpoint.url} answered`;
  const what = kind === 'profile' ? 'a Go CPU profile' : `Go's ${kind} profile over a time`;
  return `stopped before ${endpoint.url} sent its profile: ${what} comes only at the end of the ${seconds} s it was asked for, so nothing could be kept (start a shorter recording instead)`;
}

function runPprof(
  deps: PprofProfilerDeps,
  context: PlanContext,
  { endpoint, cap }: { endpoint: PprofEndpoint; cap: number },
  run: RunContext,
): { stop(): void; done: Promise<ProfileOutput> } {
  const abort = new AbortController();
  const file = `${context.dir}/profile.pb.gz`;
  const { durationSeconds } = context.params;
  const timed = PPROF_TIMED_KINDS.includes(endpoint.settings.kind);
  const timeoutMs = (timed ? durationSeconds * 1000 : 0) + PPROF_GRACE_MS;
  const done = (async (): Promise<ProfileOutput> => {
    const release = deps.budget.reserve(file, cap);
    try {
      await fetchPprof({
        url: endpoint.url,
        timeoutMs,
        maxBytes: cap,
        file,
        signal: abort.signal,
        ...(endpoint.tls ? { tls: endpoint.tls } : {}),
      });
    } catch (error) {
      throw abort.signal.aborted ? new Error(stopMessage(endpoint, durationSeconds)) : error;
    } finally {
      release();
    }
    // Kept only when it is a profile: the sidecar must not become a reader of any page on the pod's loopback.
    const profile = await readFile(file)
      .then(async (raw) => (await loadDecoder())(unpack(raw)))
      .catch(async (error: Error) => {
        await rm(file, { force: true });
        throw new Error(`${endpoint.url} did not send a pprof profile: ${error.message}`);
      });
    run.report({ type: 'artifact', name: 'profile.pb.gz' });
    const { stacks, value, skipped } = pprofToFolded(profile, endpoint.settings.kind);
    if (stacks.size === 0)
      run.report({
        type: 'warning',
        message: `the profile has no sample with a positive ${value.type} (${skipped} without)`,
      });
    const { kind } = endpoint.settings;
    const what =
      kind === 'profile'
        ? `CPU profile, ${durationSeconds} s`
        : timed
          ? `${kind} profile, ${durationSeconds} s`
          : `${kind} snapshot`;
    return {
      stacks,
      subtitle: `pprof ${what}, from ${endpoint.url}, counting ${value.type} (${value.unit})`,
    };
  })();
  return { stop: () => abort.abort(), done };
}

export function createPprofProfiler(deps: PprofProfilerDeps): Profiler {
  return {
    async plan(context: PlanContext): Promise<PlannedProfile> {
      const endpoint = await pprofEndpoint(deps, context.params);
      const { pid, processPattern } = context.params;
      // Locally the request may name no process: the port says where the profile comes from.
      const named = deps.config.mode === 'pod' || pid !== undefined || processPattern !== undefined;
      const targets = named ? await context.chooseTargets() : [];
      const maxBytes = await outputFileCap(deps.budget, deps.config.maxPerfDataBytes);
      return {
        profiler: 'pprof',
        targets,
        warnings: [],
        run: (run) => runPprof(deps, context, { endpoint, cap: maxBytes }, run),
      };
    },
  };
}
