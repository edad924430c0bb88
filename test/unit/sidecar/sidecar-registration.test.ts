import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpRequest, HttpResponse } from '../../../sidecar/server-link/http-client.ts';
import { ProxyTokens } from '../../../sidecar/server-link/proxy-tokens.ts';
import { backoffDelay } from '../../../core/backoff.ts';
import { parseRegistrationAnswer, startRegistration } from '../../../sidecar/server-link/registration.ts';
import type { LoopTimers } from '../../../sidecar/host/runtime.ts';

/** Timers that run only when the test advances the clock. */
class ManualTimers implements LoopTimers {
  private time = 0;
  private next = 1;
  private pending = new Map<number, { at: number; callback: () => void }>();
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Runs the earliest timer; returns the delay it was scheduled at. */
  async runNext(): Promise<number> {
    const [id, timer] = [...this.pending.entries()].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
    assert.ok(id !== undefined && timer !== undefined, 'a timer is pending');
    this.pending.delete(id);
    const delay = timer.at - this.time;
    this.time = timer.at;
    timer.callback();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    return delay;
  }
}

function answer(status: number, body: unknown): HttpResponse {
  return { status, body: JSON.stringify(body) };
}

describe('registration loop', () => {
  it('registers, renews at half the lease, and re-reads the rotating token every time', async () => {
    const timers = new ManualTimers();
    const tokens = new ProxyTokens();
    const requests: HttpRequest[] = [];
    let credential = 'token-1';
    const loop = startRegistration(
      {
        send: (request) => {
          requests.push(request);
          const n = requests.length;
          return Promise.resolve(
            answer(200, { leaseSeconds: 60, proxyToken: `proxy-${n}`, uploadToken: `upload-${n}` }),
          );
        },
        readCredential: () => Promise.resolve(`${credential}\n`),
        timers,
        random: () => 0.5,
        tokens,
        log: () => {},
      },
      { serverUrl: 'http://127.0.0.1:1', port: 40123 },
    );
    assert.equal(await timers.runNext(), 0);
    await loop.registered;
    assert.equal(requests[0]?.url, 'http://127.0.0.1:1/api/v1/sidecars');
    assert.equal(requests[0]?.method, 'POST');
    assert.equal(requests[0]?.headers?.authorization, 'Bearer token-1');
    assert.deepEqual(JSON.parse(requests[0]?.body as string), { port: 40123 });
    assert.ok(tokens.isAccepted('proxy-1', timers.now()));
    assert.equal(tokens.uploadToken, 'upload-1');
    assert.ok(!tokens.isAccepted('upload-1', timers.now()), 'the upload token is no proxy token');
    credential = 'token-2';
    assert.equal(await timers.runNext(), 30_000, 'renews at half the lease');
    assert.equal(requests[1]?.headers?.authorization, 'Bearer token-2');
    assert.ok(tokens.isAccepted('proxy-2', timers.now()));
    assert.equal(tokens.uploadToken, 'upload-2');
    assert.ok(
      tokens.isAccepted('proxy-1', timers.now() + 59_000),
      'the previous token stays valid for one lease',
    );
    assert.ok(!tokens.isAccepted('proxy-1', timers.now() + 61_000), '…and not longer');
    assert.ok(tokens.isAccepted('proxy-2', timers.now() + 600_000));
    loop.stop();
  });

  it('backs off exponentially with jitter and registers again after the server forgets the sidecar', async () => {
    const timers = new ManualTimers();
    const tokens = new ProxyTokens();
    const statuses = [503, 503, 200, 404, 200];
    let calls = 0;
    const loop = startRegistration(
      {
        send: () => {
          const status = statuses[calls++] ?? 200;
          if (calls === 2) return Promise.reject(new Error('ECONNREFUSED'));
          return Promise.resolve(
            answer(status, { leaseSeconds: 20, proxyToken: `p${calls}`, uploadToken: `u${calls}` }),
          );
        },
        readCredential: () => Promise.resolve('secret'),
        timers,
        random: () => 1,
        tokens,
        log: () => {},
      },
      { serverUrl: 'http://127.0.0.1:1', port: 1, baseDelayMs: 100, maxDelayMs: 1000 },
    );
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) delays.push(await timers.runNext());
    assert.deepEqual(delays, [0, 100, 200, 10_000, 100]);
    assert.equal(tokens.uploadToken, 'u5');
    assert.ok(tokens.isAccepted('p5', timers.now()));
    loop.stop();
  });

  it('keeps jittered delays between half and all of the capped exponential', () => {
    assert.equal(backoffDelay(1, 0, 1000, 60_000), 500);
    assert.equal(backoffDelay(3, 1, 1000, 60_000), 4000);
    assert.equal(backoffDelay(30, 1, 1000, 60_000), 60_000);
    assert.equal(backoffDelay(30, 0, 1000, 60_000), 30_000);
  });

  it('announces its HTTPS port and the pin of its serving key', async () => {
    const timers = new ManualTimers();
    const bodies: unknown[] = [];
    const loop = startRegistration(
      {
        send: (request) => {
          bodies.push(JSON.parse(request.body as string));
          return Promise.resolve(answer(200, { leaseSeconds: 60, proxyToken: 'p', uploadToken: 'u' }));
        },
        readCredential: () => Promise.resolve('token'),
        timers,
        random: () => 0.5,
        tokens: new ProxyTokens(),
        log: () => {},
      },
      { serverUrl: 'http://127.0.0.1:1', port: 12380, tls: { port: 12381, pin: 'the-pin' } },
    );
    await timers.runNext();
    await loop.registered;
    assert.deepEqual(bodies, [{ port: 12380, tlsPort: 12381, tlsPin: 'the-pin' }]);
    loop.stop();
  });

  it('refuses every token before the first registration', () => {
    const tokens = new ProxyTokens();
    assert.equal(tokens.isAccepted('', 0), false);
    assert.equal(tokens.isAccepted('anything', 0), false);
  });

  it("reads the server's artifact limit from the answer when it gives one, and ignores a bad one", () => {
    const base = { leaseSeconds: 30, proxyToken: 'p', uploadToken: 'u' };
    const told = parseRegistrationAnswer(JSON.stringify({ ...base, limits: { maxArtifactBytes: 8192 } }));
    assert.equal(told.maxArtifactBytes, 8192);
    assert.equal(parseRegistrationAnswer(JSON.stringify(base)).maxArtifactBytes, undefined);
    const bad = parseRegistrationAnswer(JSON.stringify({ ...base, limits: { maxArtifactBytes: -1 } }));
    assert.equal(bad.maxArtifactBytes, undefined);
    const oversized = parseRegistrationAnswer(JSON.stringify({ ...base, reviewTicket: 'x'.repeat(2049) }));
    assert.equal(
      oversized.reviewTicket,
      undefined,
      'a ticket over 2,048 characters is not kept to send back',
    );
    assert.equal(
      parseRegistrationAnswer(JSON.stringify({ ...base, reviewTicket: 7 })).reviewTicket,
      undefined,
    );
    const tokens = new ProxyTokens();
    tokens.accept(told, 0, 30);
    assert.equal(tokens.maxArtifactBytes, 8192);
  });

  it("shows the last answer's review ticket on the next renewal, and drops it when the server forgets it", async () => {
    const timers = new ManualTimers();
    const bodies: Record<string, unknown>[] = [];
    const answers = [
      answer(200, { leaseSeconds: 30, proxyToken: 'p', uploadToken: 'u', reviewTicket: 'ticket-1' }),
      answer(200, { leaseSeconds: 30, proxyToken: 'p', uploadToken: 'u', reviewTicket: 'ticket-2' }),
      answer(401, { code: 'ERR_UNAUTHENTICATED' }),
      answer(200, { leaseSeconds: 30, proxyToken: 'p', uploadToken: 'u' }),
      answer(200, { leaseSeconds: 30, proxyToken: 'p', uploadToken: 'u' }),
    ];
    const loop = startRegistration(
      {
        send: (request) => {
          bodies.push(JSON.parse(request.body as string) as Record<string, unknown>);
          return Promise.resolve(answers[bodies.length - 1] ?? answer(500, {}));
        },
        readCredential: () => Promise.resolve('token'),
        timers,
        random: () => 0,
        tokens: new ProxyTokens(),
        log: () => {},
      },
      { serverUrl: 'http://127.0.0.1:1', port: 40123 },
    );
    for (let i = 0; i < answers.length; i++) await timers.runNext();
    loop.stop();
    assert.deepEqual(
      bodies.map((body) => body.reviewTicket),
      [undefined, 'ticket-1', 'ticket-2', undefined, undefined],
      'each renewal shows the ticket the answer before it gave; none after a 401 or an answer without one',
    );
  });
});
