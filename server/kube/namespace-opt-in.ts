// Whether a namespace is opted in (label furnace=enabled), read through the KubeGateway and remembered
// briefly: registrations of many pods of one namespace cost one read, and a namespace that opts out is
// refused again within `ttlSeconds`.
import type { V1Namespace } from '@kubernetes/client-node';
import { checkNamespace, type Refusal } from './pod-identity.ts';

export interface NamespaceOptInOptions {
  now: () => number;
  read: (name: string) => Promise<V1Namespace | undefined>;
  ttlSeconds?: number;
  maxEntries?: number;
}

export type OptIn = { ok: true } | Refusal;

export interface NamespaceOptIn {
  check(namespace: string): Promise<OptIn>;
}

export function createNamespaceOptIn(options: NamespaceOptInOptions): NamespaceOptIn {
  const ttlMs = (options.ttlSeconds ?? 10) * 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { answer: OptIn; until: number }>();
  return {
    async check(namespace) {
      const now = options.now();
      const cached = cache.get(namespace);
      if (cached && cached.until > now) return cached.answer;
      const answer = checkNamespace(namespace, await options.read(namespace));
      if (cache.size >= maxEntries) cache.clear();
      cache.set(namespace, { answer, until: now + ttlMs });
      return answer;
    },
  };
}
