// One clear screen per way a page can fail: server unreachable, signed out, not allowed (with the
// permission the server says is missing), not found, anything else with the server's message.
import { ApiError, TOO_LARGE, UNREACHABLE } from '../api/client.ts';
import { AlertScreen } from './alert-screen.tsx';
import { useSession } from './session.tsx';

export interface ErrorScreenProps {
  error: unknown;
  what: string;
  onRetry?: () => void;
}

function RetryButton({ onRetry }: { onRetry?: (() => void) | undefined }) {
  return onRetry ? (
    <button type="button" onClick={onRetry}>
      Try again
    </button>
  ) : null;
}

function SignedOut({ message }: { message: string }) {
  const { refresh } = useSession();
  return (
    <AlertScreen id="signed-out-title" title="Signed out">
      <p>{message}</p>
      <button type="button" onClick={refresh}>
        Sign in
      </button>
    </AlertScreen>
  );
}

export function ErrorScreen({ error, what, onRetry }: ErrorScreenProps) {
  const api = error instanceof ApiError ? error : undefined;
  if (api?.code === UNREACHABLE)
    return (
      <AlertScreen id="unreachable-title" title="Server unreachable">
        <p>
          The Furnace server cannot be reached, so {what} cannot be shown. Check that it is running; this page
          retries on its own.
        </p>
        <RetryButton onRetry={onRetry} />
      </AlertScreen>
    );
  if (api?.status === 401) return <SignedOut message={api.message} />;
  if (api?.code === TOO_LARGE)
    return (
      <AlertScreen id="too-large-title" title="Too large to show">
        <p class="server-message">{api.message}</p>
      </AlertScreen>
    );
  if (api?.status === 403)
    return (
      <AlertScreen id="forbidden-title" title="Not allowed">
        <p class="server-message">{api.message}</p>
        <p>
          Ask a cluster administrator for a role with this permission on recordings.furnace.hyperfoil.io (for
          example the furnace-viewer or furnace-recorder ClusterRole, bound in the namespace).
        </p>
      </AlertScreen>
    );
  if (api?.status === 404)
    return (
      <AlertScreen id="not-found-title" title="Not found">
        <p class="server-message">{api.message}</p>
        <p>
          <a href="/history">Back to the recordings</a>
        </p>
      </AlertScreen>
    );
  return (
    <AlertScreen id="error-title" title="Something went wrong">
      <p class="server-message">{api?.message ?? (error instanceof Error ? error.message : String(error))}</p>
      <RetryButton onRetry={onRetry} />
    </AlertScreen>
  );
}
