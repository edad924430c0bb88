// The header of every page: the brand, the main navigation with the current page marked, and who is
// signed in (with Sign out where the server keeps the token). Continuous only where the server has it.
import type { SessionView } from '../../../core/contract/ui-contract.ts';
import { useContinuousAvailable } from '../continuous/use-continuous-available.ts';
import { followLink } from '../routing/router.ts';
import type { Location } from '../routing/url-state.ts';

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

export interface TopBarProps {
  current: Location['page']['kind'];
  session: SessionView | undefined;
  onSignOut: () => void;
}

export function TopBar({ current, session, onSignOut }: TopBarProps) {
  const continuous = useContinuousAvailable(session?.signedIn === true);
  return (
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
        {continuous ? (
          <a
            href="/continuous"
            onClick={followLink}
            aria-current={current === 'continuous' ? 'page' : undefined}
          >
            Continuous
          </a>
        ) : null}
      </nav>
      {session?.signedIn ? <Identity session={session} onSignOut={onSignOut} /> : null}
    </header>
  );
}
