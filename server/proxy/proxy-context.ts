// What the proxy keeps about one forwarded request between its hooks: who asked, which recorder answers,
// and for a start the checked parameters, the reserved slot and (agent mode) the upload grant.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AgentScope } from '../../core/contract/agent-scope.ts';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { RecordingLimits } from '../../core/contract/limits.ts';
import type { RecordingParams } from '../../core/contract/recording-params.ts';
import type { CatalogEntry, RecordingStatus } from '../../core/contract/recording.ts';
import type { Identity } from '../auth/identity.ts';
import type { ServerMetrics } from '../operations/metrics.ts';
import type { Registration, Registry } from '../registry/lease-registry.ts';
import type { StartGrant, UpstreamResolver } from './upstreams.ts';
import type { StartSlots } from './start-slots.ts';
import type { Reservation, RunningRecordings } from './running-recordings.ts';
import type { SinkRule } from '../../core/sinks/sink-choice.ts';

export interface ProxyDeps {
  registry: Registry;
  limitsFor: (namespace: string) => Readonly<RecordingLimits>;
  running: RunningRecordings;
  metrics: ServerMetrics;
  now: () => number;
  /** Upstream connect and header timeout. */
  timeoutSeconds: number;
  /** The server setting `recording.allowSystemWide` (off unless given). */
  allowSystemWide: boolean;
  /** The server's sinks, which a start may name. */
  sinks: readonly SinkRule[];
  onStarted: (registration: Registration, status: RecordingStatus, identity: Identity) => void;
  /** The catalog's entry of a recording: what a retried start with the same idempotency key is answered. */
  recordingOf: (id: string) => CatalogEntry | undefined;
  /** Where a pod's requests go: its sidecar, or (agent mode) the agent of its node (upstreams.ts). */
  upstreams: UpstreamResolver;
  /** Where a start holds its slots: this replica's memory, or Leases (start-slots.ts). */
  slots: StartSlots;
}

export interface ProxyContext {
  registration: Registration;
  identity: Identity;
  /** The path below /proxy/:namespace/:pod (restOf), read once at admission. */
  rest: string;
  startedAt: bigint;
  start?: RecordingParams;
  /**
   * A start, stop or resymbolize: audited once the recorder answered (proxy-routes.ts), or, for a start that
   * started a recording, by finishStart (proxy-finishing.ts), which then clears it.
   */
  audited?: AnsweredCall;
  /** A start's idempotency key, hashed with the user (start-key.ts): sent on to the recorder, which answers a repeat with the recording the key started. */
  startKey?: string;
  /** The concurrency slot of a start, until the sidecar's answer commits it (else released). */
  reservation?: Reservation;
  /** Agent mode: what the agent may touch, written by the server only (agent-routing.ts). */
  scope?: AgentScope;
  /** Agent mode, a start: the upload grant in the scope, until the answer binds it to the recording. */
  grant?: { grant: StartGrant; bound: boolean };
}

/** A call the proxy audits with the recorder's answer. */
export interface AnsweredCall {
  action: 'start' | 'stop' | 'resymbolize';
  /** The recording a stop or a resymbolize names. */
  recording?: string;
  /** The code of the recorder's refusal, made fit for a log line (answer-schema.ts refusalCodeOf). */
  code?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the proxy's admission (ProxyContexts); null on every other request. */
    furnaceProxyContext: ProxyContext | null;
  }
}

/**
 * The contexts of the requests in flight, kept on each request in a field the proxy's scope declares (a
 * WeakMap by request cost a hash insertion per request and more work for the collector).
 */
export class ProxyContexts {
  constructor(scope: FastifyInstance) {
    if (!scope.hasRequestDecorator('furnaceProxyContext')) scope.decorateRequest('furnaceProxyContext', null);
  }

  set(request: FastifyRequest, context: ProxyContext): void {
    request.furnaceProxyContext = context;
  }

  find(request: FastifyRequest): ProxyContext | undefined {
    return request.furnaceProxyContext ?? undefined;
  }

  of(request: FastifyRequest): ProxyContext {
    const context = request.furnaceProxyContext;
    if (!context) throw new FurnaceError('ERR_INTERNAL', 'proxy request without context');
    return context;
  }
}

/** The path below /proxy/:namespace/:pod, without trailing slashes. */
export function restOf(request: FastifyRequest): string {
  const params = request.params as Record<string, string | undefined>;
  return (params['*'] ?? '').replace(/\/+$/, '');
}

/** Upload grants outlive the recording's duration by this much (processing, retries, a slow upload). */
const GRANT_GRACE_SECONDS = 3600;

/** When the upload grant of a recording of `durationSeconds` that starts at `now` (ms) expires, ms. */
export function grantExpiry(now: number, durationSeconds: number): number {
  return now + (durationSeconds + GRANT_GRACE_SECONDS) * 1000;
}
