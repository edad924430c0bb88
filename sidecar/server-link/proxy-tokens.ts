// The tokens the server hands out at registration: which proxy tokens the sidecar accepts (the current
// one, and the previous one for one lease after a renewal), and the upload token it presents to the
// catalog. The two are separate: whoever sees a proxy token cannot upload with it, and the reverse. The
// server's artifact limit comes with them, so uploads skip a file the catalog would refuse.
import { sameSecret } from '../../core/contract/http-errors.ts';

export interface ServerTokens {
  proxyToken: string;
  uploadToken: string;
  /** The server's limits.maxArtifactBytes for this pod's namespace, when its answer says. */
  maxArtifactBytes?: number;
}

export class ProxyTokens {
  private current: string | undefined;
  private previous: { token: string; until: number } | undefined;
  private upload: string | undefined;
  private artifactLimit: number | undefined;
  private readonly listeners: (() => void)[] = [];

  /** Calls `listener` after each registration answer is taken (the server is there to upload to). */
  onAccepted(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Records the tokens the server answered with; a changed proxy token keeps the old one valid for one lease. */
  accept(tokens: ServerTokens, nowMs: number, leaseSeconds: number): void {
    this.upload = tokens.uploadToken;
    this.artifactLimit = tokens.maxArtifactBytes;
    for (const listener of this.listeners) listener();
    if (this.current === tokens.proxyToken) return;
    if (this.current !== undefined)
      this.previous = { token: this.current, until: nowMs + leaseSeconds * 1000 };
    this.current = tokens.proxyToken;
  }

  isAccepted(token: string, nowMs: number): boolean {
    if (this.current !== undefined && sameSecret(token, this.current)) return true;
    return (
      this.previous !== undefined && nowMs < this.previous.until && sameSecret(token, this.previous.token)
    );
  }

  /** The token the sidecar presents to the server on uploads, once registered. */
  get uploadToken(): string | undefined {
    return this.upload;
  }

  /** The largest artifact the server takes, as its last registration answer said. */
  get maxArtifactBytes(): number | undefined {
    return this.artifactLimit;
  }
}
