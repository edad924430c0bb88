// The registration loop: register with the server, renew at half the lease, back off with jitter on failure.
import { backoffDelay } from '../../core/backoff.ts';
import type { HttpSend } from './http-client.ts';
import type { ProxyTokens, ServerTokens } from './proxy-tokens.ts';
import type { LoopTimers } from '../host/runtime.ts';

export interface RegistrationDeps {
  send: HttpSend;
  /** The credential for one attempt: the projected token file, re-read every time (it rotates), or the local secret. */
  readCredential(): Promise<string>;
  timers: LoopTimers;
  random(): number;
  tokens: ProxyTokens;
  /**
   * The CA to trust for the server, read before every attempt: the operator keeps the mounted ConfigMap
   * current, so a CA rotation needs no pod restart (server-ca.ts). Undefined: the system roots.
   */
  readCa?(): Promise<string | undefined>;
  log(message: string, fields?: Record<string, unknown>): void;
}

export interface RegistrationOptions {
  serverUrl: string;
  /** The port the sidecar API actually listens on. */
  port: number;
  /** Its HTTPS port and the pin of its serving key, which the server's proxy then requires. */
  tls?: { port: number; pin: string };
  /** Where to register: `/api/v1/sidecars` (a pod's sidecar, the default) or `/api/v1/agents` (a node agent). */
  path?: string;
  /** More fields of the registration body (the agent's node). */
  body?: Record<string, string>;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface RegistrationLoop {
  /** Resolves after the first successful registration. */
  registered: Promise<void>;
  stop(): void;
}

/** A registration answer as the loop keeps it. */
export type RegistrationAnswer = ServerTokens & { leaseSeconds: number; reviewTicket?: string };

/** Longer review tickets are not shown back (the server refuses a body with one over 2,048 characters). */
const MAX_TICKET_LENGTH = 2048;

/**
 * Reads `{ leaseSeconds, proxyToken, uploadToken }` from a registration answer, or says what is wrong;
 * and `limits.maxArtifactBytes` when the server tells it (older servers do not), and the review ticket
 * that N replicas hand out (shown back on the next renewal, so that any replica skips a TokenReview).
 */
export function parseRegistrationAnswer(body: string): RegistrationAnswer {
  const answer = JSON.parse(body) as Record<string, unknown>;
  const { leaseSeconds, proxyToken, uploadToken } = answer;
  const isToken = (value: unknown): value is string => typeof value === 'string' && value !== '';
  if (
    typeof leaseSeconds !== 'number' ||
    !(leaseSeconds > 0) ||
    !isToken(proxyToken) ||
    !isToken(uploadToken)
  ) {
    throw new Error('the server answered without a positive leaseSeconds, a proxyToken and an uploadToken');
  }
  const limit = (answer.limits as { maxArtifactBytes?: unknown } | undefined)?.maxArtifactBytes;
  const known = typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0;
  const ticket = answer.reviewTicket;
  const keep = typeof ticket === 'string' && ticket !== '' && ticket.length <= MAX_TICKET_LENGTH;
  return {
    leaseSeconds,
    proxyToken,
    uploadToken,
    ...(known ? { maxArtifactBytes: limit } : {}),
    ...(keep ? { reviewTicket: ticket } : {}),
  };
}

function registrationBody(options: RegistrationOptions, reviewTicket: string | undefined): string {
  return JSON.stringify({
    ...options.body,
    port: options.port,
    ...(options.tls ? { tlsPort: options.tls.port, tlsPin: options.tls.pin } : {}),
    ...(reviewTicket === undefined ? {} : { reviewTicket }),
  });
}

export function startRegistration(deps: RegistrationDeps, options: RegistrationOptions): RegistrationLoop {
  const baseMs = options.baseDelayMs ?? 1000;
  const maxMs = options.maxDelayMs ?? 60_000;
  const url = `${options.serverUrl}${options.path ?? '/api/v1/sidecars'}`;
  let stopped = false;
  let failures = 0;
  let handle: unknown;
  /** The last answer's review ticket, shown back until an answer brings another or none. */
  let reviewTicket: string | undefined;
  let markRegistered: () => void = () => {};
  const registered = new Promise<void>((resolve) => (markRegistered = resolve));

  const schedule = (ms: number): void => {
    if (!stopped) handle = deps.timers.setTimeout(() => void attempt(), ms);
  };

  async function attempt(): Promise<void> {
    if (stopped) return;
    try {
      const credential = (await deps.readCredential()).trim();
      const ca = await deps.readCa?.();
      const response = await deps.send({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
        body: registrationBody(options, reviewTicket),
        ...(ca === undefined ? {} : { ca }),
        timeoutMs: 10_000,
      });
      if (response.status === 401 || response.status === 404 || response.status === 400)
        reviewTicket = undefined;
      if (response.status === 401 || response.status === 404) {
        throw new Error(`the server does not know this sidecar (${response.status}); registering again`);
      }
      if (response.status < 200 || response.status > 299) {
        throw new Error(`registration answered ${response.status}: ${response.body.slice(0, 200)}`);
      }
      const { leaseSeconds, reviewTicket: ticket, ...tokens } = parseRegistrationAnswer(response.body);
      reviewTicket = ticket;
      deps.tokens.accept(tokens, deps.timers.now(), leaseSeconds);
      if (failures > 0) deps.log('registered again', { leaseSeconds });
      failures = 0;
      markRegistered();
      schedule((leaseSeconds * 1000) / 2);
    } catch (error) {
      failures += 1;
      const delay = backoffDelay(failures, deps.random(), baseMs, maxMs);
      deps.log('registration failed', { error: (error as Error).message, retryInMs: delay, failures });
      schedule(delay);
    }
  }

  schedule(0);
  return {
    registered,
    stop() {
      stopped = true;
      deps.timers.clearTimeout(handle);
    },
  };
}
