// Which proxy tokens the sidecar accepts: the current one, and the previous one for one lease after a renewal.
import { sameSecret } from '../core/http-errors.ts';

export class ProxyTokens {
  private current: string | undefined;
  private previous: { token: string; until: number } | undefined;

  /** Records the token the server answered with; a changed token keeps the old one valid for one lease. */
  accept(token: string, nowMs: number, leaseSeconds: number): void {
    if (this.current === token) return;
    if (this.current !== undefined)
      this.previous = { token: this.current, until: nowMs + leaseSeconds * 1000 };
    this.current = token;
  }

  isAccepted(token: string, nowMs: number): boolean {
    if (this.current !== undefined && sameSecret(token, this.current)) return true;
    return (
      this.previous !== undefined && nowMs < this.previous.until && sameSecret(token, this.previous.token)
    );
  }

  /** The token the sidecar presents to the server (uploads), once registered. */
  get token(): string | undefined {
    return this.current;
  }
}
