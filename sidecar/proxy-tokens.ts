// Which proxy tokens the sidecar accepts: the current one, and the previous one for one lease after a renewal.
import { timingSafeEqual } from 'node:crypto';

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

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
    if (this.current !== undefined && sameToken(token, this.current)) return true;
    return (
      this.previous !== undefined && nowMs < this.previous.until && sameToken(token, this.previous.token)
    );
  }

  /** The token the sidecar presents to the server (uploads), once registered. */
  get token(): string | undefined {
    return this.current;
  }
}
