// The app: who is signed in, the navigation, and the page the URL names.
import { useEffect, useState } from 'preact/hooks';
import type { SessionView } from '../../../core/contract/ui-contract.ts';
import { deleteJson, getJson } from '../api/client.ts';
import { HistoryPage } from '../history/history-page.tsx';
import { ComparePage } from '../pages/compare-page.tsx';
import { RecordPage } from '../pages/record-page.tsx';
import { RecordingPage } from '../pages/recording-page.tsx';
import { followLink, useLocation } from '../routing/router.ts';
import type { Location } from '../routing/url-state.ts';
import { ErrorScreen } from './error-screen.tsx';
import { SessionContext } from './session.tsx';
import { SignIn } from './sign-in.tsx';

function Page({ location }: { location: Location }) {
  const page = location.page;
  switch (page.kind) {
    case 'record':
      return <RecordPage />;
    case 'history':
      return <HistoryPage />;
    case 'recording':
      return <RecordingPage key={page.id} id={page.id} location={location} />;
    case 'compare':
      return <ComparePage before={page.before} after={page.after} location={location} />;
  }
}

function Identity({ session, onSignOut }: { session: SessionView; onSignOut: () => void }) {
  if (session.mode === 'none') return <span class="identity">Local mode</span>;
  return (
    <span class="identity">
      Signed in as <strong>{session.user}</strong>
      {session.mode === 'kubernetes' ? (
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      ) : (
        <small> (from the OAuth proxy)</small>
      )}
    </span>
  );
}

export function App() {
  const location = useLocation();
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
        timer = window.setTimeout(refresh, 3000);
      },
    );
    return () => window.clearTimeout(timer);
  }, [tick]);
  const signOut = (): void => {
    deleteJson('/api/v1/session').then(refresh, setError);
  };
  const current = location.page.kind;
  let body;
  if (!session)
    body = error ? (
      <ErrorScreen error={error} what="this page" onRetry={refresh} />
    ) : (
      <p class="loading">Connecting…</p>
    );
  else if (!session.signedIn && session.mode === 'kubernetes')
    body = <SignIn reason={session.reason} onSignedIn={refresh} />;
  else if (!session.signedIn)
    body = (
      <ErrorScreen
        error={error}
        what={`this page (${session.reason ?? 'not signed in'})`}
        onRetry={refresh}
      />
    );
  else body = <Page location={location} />;
  return (
    <SessionContext.Provider value={{ session: session ?? { mode: 'none', signedIn: false }, refresh }}>
      <header class="top">
        <a class="brand" href="/" onClick={followLink}>
          Furnace
        </a>
        <nav aria-label="Main">
          <a href="/" onClick={followLink} aria-current={current === 'record' ? 'page' : undefined}>
            Record
          </a>
          <a href="/history" onClick={followLink} aria-current={current === 'history' ? 'page' : undefined}>
            History
          </a>
        </nav>
        {session?.signedIn ? <Identity session={session} onSignOut={signOut} /> : null}
      </header>
      <main>{body}</main>
    </SessionContext.Provider>
  );
}
