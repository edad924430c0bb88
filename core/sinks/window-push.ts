// The HTTP request that pushes one continuous profiling window to one sink, as push-request.ts does for a
// recording: the same paths, formats and tenant header, the window's own time range in `from`/`until`, and
// the window's key in X-Furnace-Window as the idempotency key (a receiver, or a proxy in front of it, can
// drop a push it has already taken). Which sinks take windows: those with `continuous: true` whose
// `namespaces` include the window's. Pure.
import type { WindowMeta } from '../continuous/window-meta.ts';
import type { ProfileSubject } from '../export/profile-subject.ts';
import { PYROSCOPE_INGEST_PATH, pushRequestFor, under } from './push-request.ts';
import type { PushRequest } from './push-request.ts';
import type { SinkConfig } from './sink.ts';

export const WINDOW_KEY_HEADER = 'x-furnace-window';

/** A stored window as a sink sees it: its key and what the key says. */
export interface ExportedWindow extends WindowMeta {
  key: string;
}

/** The sinks that take the windows of `namespace`: continuous ones that serve it. */
export function windowSinksFor<T extends Pick<SinkConfig, 'continuous' | 'namespaces'>>(
  sinks: readonly T[],
  namespace: string,
): T[] {
  return sinks.filter(
    (s) => s.continuous && (s.namespaces === undefined || s.namespaces.includes(namespace)),
  );
}

/** The workload's name without its kind: pprof `service_name`, OTel `service.name`, Pyroscope's application. */
export function serviceOf(window: Pick<ExportedWindow, 'workload'>): string {
  return window.workload.slice(window.workload.indexOf('/') + 1);
}

/** Whose profile a window is, for the exported formats' labels and resource attributes. */
export function windowSubject(window: ExportedWindow): ProfileSubject {
  return {
    namespace: window.namespace,
    pod: window.pod,
    container: window.container,
    service: serviceOf(window),
    node: window.node,
  };
}

/** A label value as Pyroscope's name syntax takes it: none of `{}=,` and no spaces. */
const labelValue = (value: string): string => value.replace(/[{}=,\s"]/g, '_');

/** `<application>.cpu{namespace=…,pod=…,container=…,node=…,service_name=…}`. */
export function windowPyroscopeName(sink: Pick<SinkConfig, 'application'>, window: ExportedWindow): string {
  const service = serviceOf(window);
  const labels = [
    ['namespace', window.namespace],
    ['pod', window.pod],
    ['container', window.container],
    ['node', window.node],
    ['service_name', service],
  ].map(([key, value]) => `${key}=${labelValue(value as string)}`);
  return `${labelValue(sink.application ?? service)}.cpu{${labels.join(',')}}`;
}

/** The push of a window; `frequency` is the sample rate Pyroscope is told for folded stacks. */
export function windowPushRequest(sink: SinkConfig, window: ExportedWindow, frequency: number): PushRequest {
  return pushRequestFor(sink, [WINDOW_KEY_HEADER, window.key], () => {
    const url = under(sink.url, PYROSCOPE_INGEST_PATH);
    const from = Math.floor(window.start / 1000);
    url.searchParams.set('name', windowPyroscopeName(sink, window));
    url.searchParams.set('from', String(from));
    url.searchParams.set('until', String(Math.max(from + 1, Math.ceil(window.end / 1000))));
    url.searchParams.set('format', sink.format);
    url.searchParams.set('sampleRate', String(frequency));
    return url;
  });
}
