// The app: who is signed in, the navigation, and the page the URL names.
import { ContinuousPage } from '../continuous/continuous-page.tsx';
import { HistoryPage } from '../history/history-page.tsx';
import { ComparePage } from '../pages/compare-page.tsx';
import { RecordPage } from '../pages/record-page.tsx';
import { RecordingPage } from '../pages/recording-page.tsx';
import { useLocation } from '../routing/router.ts';
import type { Location } from '../routing/url-state.ts';
import { ErrorScreen } from './error-screen.tsx';
import { SessionContext } from './session.tsx';
import { SignIn } from './sign-in.tsx';
import { TopBar } from './top-bar.tsx';
import { useSessionView, type SessionState } from './use-session-view.ts';

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
    case 'continuous':
      return <ContinuousPage params={page.params} location={location} />;
  }
}

/** What <main> shows: the page once signed in, else why not (connecting, sign-in, an error). */
function mainContent({ session, error, refresh }: SessionState, location: Location) {
  if (!session)
    return error ? (
      <ErrorScreen error={error} what="this page" onRetry={refresh} />
    ) : (
      <p class="loading">Connecting…</p>
    );
  if (!session.signedIn && session.mode === 'kubernetes')
    return <SignIn reason={session.reason} onSignedIn={refresh} />;
  if (!session.signedIn)
    return (
      <ErrorScreen
        error={error}
        what={`this page (${session.reason ?? 'not signed in'})`}
        onRetry={refresh}
      />
    );
  return <Page location={location} />;
}

export function App() {
  const location = useLocation();
  const state = useSessionView();
  const { session, refresh, signOut } = state;
  return (
    <SessionContext.Provider
      value={{ session: session ?? { mode: 'none', local: false, signedIn: false }, refresh }}
    >
      <TopBar current={location.page.kind} session={session} onSignOut={signOut} />
      <main>{mainContent(state, location)}</main>
    </SessionContext.Provider>
  );
}
