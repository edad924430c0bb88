// The session as the server sees it: read on start and on every refresh, again every 3 s while the
// server cannot be reached; signing out deletes it and reads it again.
import { useEffect, useState } from 'preact/hooks';
import type { SessionView } from '../../../core/contract/ui-contract.ts';
import { deleteJson, getJson } from '../api/client.ts';

const RETRY_MS = 3000;

export interface SessionState {
  /** Undefined until the server first answered. */
  session: SessionView | undefined;
  error: unknown;
  refresh: () => void;
  signOut: () => void;
}

export function useSessionView(): SessionState {
  const [session, setSession] = useState<SessionView | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [tick, setTick] = useState(0);
  const refresh = (): void => setTick((n) => n + 1);
  useEffect(() => {
    let timer: number | undefined;
    getJson<SessionView>('/api/v1/session').then(
      (view) => {
        setSession(view);
        setError(undefined);
      },
      (failure: unknown) => {
        setError(failure);
        timer = window.setTimeout(refresh, RETRY_MS);
      },
    );
    return () => window.clearTimeout(timer);
  }, [tick]);
  const signOut = (): void => {
    deleteJson('/api/v1/session').then(refresh, setError);
  };
  return { session, error, refresh, signOut };
}
