// The Continuous page's state in its URL (`/continuous?ns=shop&pod=web-1&from=…&to=…&a=…&b=…`), so a link
// reopens the same timeline, range and comparison. Pure: the router and the unit tests share it.

/** A time range in ms since the epoch, [from, to). */
export interface TimeRange {
  from: number;
  to: number;
}

export interface ContinuousParams {
  namespace?: string;
  workload?: string;
  pod?: string;
  container?: string;
  /** The timeline's range; the last hour when absent. */
  range?: TimeRange;
  /** The brushed range: its flame graph, or the baseline of a comparison. */
  a?: TimeRange;
  /** The range compared with `a`. */
  b?: TimeRange;
  /** Instead of a second range: a pod, or a workload (`Kind/name`), compared over `a` with the selection. */
  vs?: string;
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const WORKLOAD = /^[A-Za-z]{1,63}\/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function parseRange(text: string | null): TimeRange | undefined {
  const m = text ? /^(\d{1,15})-(\d{1,15})$/.exec(text) : null;
  if (!m) return undefined;
  const range = { from: Number(m[1]), to: Number(m[2]) };
  return range.to > range.from ? range : undefined;
}

const formatRange = (range: TimeRange): string => `${range.from}-${range.to}`;

export function parseContinuousParams(search: string): ContinuousParams {
  const query = new URLSearchParams(search);
  const params: ContinuousParams = {};
  for (const [key, field] of [
    ['ns', 'namespace'],
    ['pod', 'pod'],
    ['container', 'container'],
  ] as const) {
    const value = query.get(key);
    if (value && NAME.test(value)) params[field] = value;
  }
  const workload = query.get('workload');
  if (workload && WORKLOAD.test(workload)) params.workload = workload;
  const from = query.get('from');
  const to = query.get('to');
  const range = from && to ? parseRange(`${from}-${to}`) : undefined;
  if (range) params.range = range;
  return { ...params, ...parseComparison(query) };
}

/** The brushed range and what it is compared with: a second range, or else another pod or workload. */
function parseComparison(query: URLSearchParams): Pick<ContinuousParams, 'a' | 'b' | 'vs'> {
  const a = parseRange(query.get('a'));
  if (!a) return {};
  const b = parseRange(query.get('b'));
  if (b) return { a, b };
  const vs = query.get('vs');
  return vs && (NAME.test(vs) || WORKLOAD.test(vs)) ? { a, vs } : { a };
}

/** The page's own query parameters (the explorer's view adds its own after them). */
export function continuousQuery(params: ContinuousParams): URLSearchParams {
  const query = new URLSearchParams();
  if (params.namespace) query.set('ns', params.namespace);
  if (params.workload) query.set('workload', params.workload);
  if (params.pod) query.set('pod', params.pod);
  if (params.container) query.set('container', params.container);
  if (params.range) {
    query.set('from', String(params.range.from));
    query.set('to', String(params.range.to));
  }
  if (params.a) query.set('a', formatRange(params.a));
  if (params.a && params.b) query.set('b', formatRange(params.b));
  if (params.a && !params.b && params.vs) query.set('vs', params.vs);
  return query;
}

/** The filters of a query to the server (`namespace`, `workload`, `pod`, `container`). */
export function selectionQuery(params: ContinuousParams, range: TimeRange): string {
  const query = new URLSearchParams();
  query.set('namespace', params.namespace ?? '');
  query.set('from', String(Math.floor(range.from)));
  query.set('to', String(Math.ceil(range.to)));
  if (params.workload) query.set('workload', params.workload);
  if (params.pod) query.set('pod', params.pod);
  if (params.container) query.set('container', params.container);
  return query.toString();
}

/** The selection of `vs`: the same filters, but that pod or workload (a workload has a `/`). */
export function versusParams(params: ContinuousParams, vs: string): ContinuousParams {
  return vs.includes('/')
    ? { ...params, workload: vs, pod: undefined }
    : { ...params, pod: vs, workload: undefined };
}
