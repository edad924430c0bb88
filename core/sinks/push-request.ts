// The HTTP request that pushes one recording to one sink, without its credentials (the server adds
// those from their files): the URL, the artifact sent as the body, and the headers. Pure.
//
// The body is the artifact `artifact` names, which the server writes from the recording's folded stacks and
// its own catalog entry (server/sinks/recording-body.ts), never the bytes a sidecar uploaded under that name.
// OTLP: POST <url>/v1development/profiles with profile.otlp.pb, an ExportProfilesServiceRequest
// in protobuf (Content-Type application/x-protobuf), the path OTLP/HTTP gives profiles while they are
// in development (opentelemetry-proto, profiles/v1development).
// Pyroscope: POST <url>/ingest?name=<application>.cpu{namespace=…,pod=…,container=…}&from=<s>&until=<s>
// &format=pprof|folded&sampleRate=<Hz>, the body profile.pb.gz or stacks.folded, the tenant in
// X-Scope-OrgID (Pyroscope's server HTTP API, "Ingestion").
// A recording a rollout watch compared carries the verdict on its version as the label furnace_regression
// (Pyroscope's series name here; the pprof and OTLP bodies: recording-body.ts).
// Every push carries X-Furnace-Recording-Id: a receiver, or a proxy in front of it, can drop a push it has
// already taken.
import type { ArtifactName } from '../contract/names.ts';
import type { CatalogEntry } from '../contract/recording.ts';
import { exportValueType, profileOf } from '../contract/profile-types.ts';
import { owningWorkload, samplingFrequency } from '../export/profile-subject.ts';
import type { SinkConfig } from './sink.ts';

export const OTLP_PROFILES_PATH = '/v1development/profiles';
export const PYROSCOPE_INGEST_PATH = '/ingest';
export const RECORDING_ID_HEADER = 'x-furnace-recording-id';
export const TENANT_HEADER = 'x-scope-orgid';
/** The label that carries a rollout watch's verdict (pprof and Pyroscope; OTLP: `furnace.regression`). */
export const REGRESSION_LABEL = 'furnace_regression';

export interface PushRequest {
  url: URL;
  /** The catalog artifact sent as the body. */
  artifact: ArtifactName;
  headers: Record<string, string>;
}

/** The artifact a sink is sent: what must be in the catalog before the push can be queued. */
export function sinkArtifact(sink: Pick<SinkConfig, 'type' | 'format'>): ArtifactName {
  if (sink.type === 'otlp') return 'profile.otlp.pb';
  return sink.format === 'pprof' ? 'profile.pb.gz' : 'stacks.folded';
}

/** `path` under the base URL's own path. */
export function under(base: string, path: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  return url;
}

/** A label value as Pyroscope's name syntax takes it: none of `{}=,` and no spaces. */
function labelValue(value: string): string {
  return value.replace(/[{}=,\s"]/g, '_');
}

/**
 * `<application>.cpu{namespace=…,pod=…,container=…}`: the series Pyroscope files the profile under; an
 * offcpu or wall recording goes to `.off_cpu` or `.wall`, never into the CPU series.
 */
export function pyroscopeName(
  sink: Pick<SinkConfig, 'application'>,
  entry: Pick<CatalogEntry, 'pod' | 'namespace' | 'container' | 'params'>,
  regression?: string,
): string {
  const application = sink.application ?? owningWorkload(entry.pod) ?? entry.pod;
  const labels = [
    ['namespace', entry.namespace],
    ['pod', entry.pod],
    ...(entry.container ? [['container', entry.container]] : []),
    ...(regression ? [[REGRESSION_LABEL, regression]] : []),
  ].map(([key, value]) => `${key}=${labelValue(value as string)}`);
  const type = exportValueType(profileOf(entry.params))?.type ?? 'cpu';
  return `${labelValue(application)}.${type}{${labels.join(',')}}`;
}

function pyroscopeUrl(sink: SinkConfig, entry: CatalogEntry, regression?: string): URL {
  const url = under(sink.url, PYROSCOPE_INGEST_PATH);
  const from = Math.floor(Date.parse(entry.startedAt) / 1000);
  const ended = entry.endedAt === undefined ? Number.NaN : Date.parse(entry.endedAt);
  const until = Math.max(
    from + 1,
    Number.isNaN(ended) ? from + entry.params.durationSeconds : Math.ceil(ended / 1000),
  );
  url.searchParams.set('name', pyroscopeName(sink, entry, regression));
  url.searchParams.set('from', String(from));
  url.searchParams.set('until', String(until));
  url.searchParams.set('format', sink.format);
  // Nanoseconds (offcpu, wall) read as samples at 1 GHz are their own time.
  const timed = exportValueType(profileOf(entry.params)) !== undefined;
  const rate = timed ? 1_000_000_000 : samplingFrequency(entry.profiler, entry.params.frequency);
  url.searchParams.set('sampleRate', String(rate));
  return url;
}

/**
 * A push to `sink` of what one header names (a recording's id, a window's key): OTLP's path and content
 * type, or Pyroscope's with its tenant and the ingest URL `pyroscope` makes.
 */
export function pushRequestFor(
  sink: SinkConfig,
  idHeader: readonly [name: string, value: string],
  pyroscope: () => URL,
): PushRequest {
  const artifact = sinkArtifact(sink);
  const headers: Record<string, string> = { [idHeader[0]]: idHeader[1] };
  if (sink.type === 'otlp') {
    headers['content-type'] = 'application/x-protobuf';
    return { url: under(sink.url, OTLP_PROFILES_PATH), artifact, headers };
  }
  headers['content-type'] =
    sink.format === 'pprof' ? 'application/octet-stream' : 'text/plain; charset=utf-8';
  if (sink.tenant !== undefined) headers[TENANT_HEADER] = sink.tenant;
  return { url: pyroscope(), artifact, headers };
}

/** `regression`: the verdict of the rollout watch that compared the recording's version, when one did. */
export function pushRequestOf(sink: SinkConfig, entry: CatalogEntry, regression?: string): PushRequest {
  return pushRequestFor(sink, [RECORDING_ID_HEADER, entry.id], () => pyroscopeUrl(sink, entry, regression));
}
