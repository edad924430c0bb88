// Who the browser is signed in as, and whether the server runs local mode, shared by every page: 401
// anywhere sends the user to sign in.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionView } from '../../../core/contract/ui-contract.ts';

export interface SessionContextValue {
  session: SessionView;
  /** Reads the session again (after a 401, sign-in or sign-out). */
  refresh: () => void;
}

export const SessionContext = createContext<SessionContextValue>({
  session: { mode: 'none', local: false, signedIn: true },
  refresh: () => undefined,
});

export function useSession(): SessionContextValue {
  return useContext(SessionContext);
}
