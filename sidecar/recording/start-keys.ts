// The idempotency keys of a recorder's last starts (the server's hash of a caller's Idempotency-Key,
// core/contract/start-key.ts) and the recordings they began. A start whose key began a recording is
// answered with that recording, whether it still runs or has ended, instead of a second recording or a
// "busy" refusal: the server resends a start with the same key when the replica that first sent it died
// before it could pass on the answer. Kept in memory, the last KEPT keys: a restarted recorder starts anew.

/** How many keys are remembered; a retry comes within seconds, after a few starts at most. */
const KEPT = 64;

export class StartKeys<T extends { id: string }> {
  readonly #ids = new Map<string, string>();
  readonly #pending = new Map<string, Promise<T>>();

  /**
   * Runs `start` once per key: a repeat while it runs gets the same answer, a later one `known(id)` of the
   * recording it began (undefined when that recording is no longer kept: a new start then). Without a key,
   * just `start`.
   */
  async once(
    key: string | undefined,
    start: () => Promise<T>,
    known: (id: string) => T | undefined,
  ): Promise<T> {
    if (key === undefined) return start();
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const id = this.#ids.get(key);
    const answer = id === undefined ? undefined : known(id);
    if (answer) return answer;
    const started = start();
    this.#pending.set(key, started);
    try {
      const status = await started;
      this.#remember(key, status.id);
      return status;
    } finally {
      this.#pending.delete(key);
    }
  }

  #remember(key: string, id: string): void {
    this.#ids.delete(key);
    this.#ids.set(key, id);
    for (const oldest of this.#ids.keys()) {
      if (this.#ids.size <= KEPT) break;
      this.#ids.delete(oldest);
    }
  }
}
