// One clear screen per way a page can fail: server unreachable, signed out, not allowed (with the
// permission the server says is missing), not found, anything else with the server's message.
import { ApiError, UNREACHABLE } from '../api/client.ts';
import { useSession } from './session.tsx';

export function ErrorScreen({
  error,
  what,
  onRetry,
}: {
  error: unknown;
  what: string;
  onRetry?: () => void;
}) {
  const { refresh } = useSession();
  const api = error instanceof ApiError ? error : undefined;
  const retry = onRetry ? (
    <button type="button" onClick={onRetry}>
      Try again
    </button>
  ) : null;
  if (api?.code === UNREACHABLE)
    return (
      <section class="screen" role="alert" aria-labelledby="unreachable-title">
        <h2 id="unreachable-title">Server unreachable</h2>
        <p>
          The Furnace server cannot be reached, so {what} cannot be shown. Check that it is running; this page
          retries on its own.
        </p>
        {retry}
      </section>
    );
  if (api?.status === 401)
    return (
      <section class="screen" role="alert" aria-labelledby="signed-out-title">
        <h2 id="signed-out-title">Signed out</h2>
        <p>{api.message}</p>
        <button type="button" onClick={refresh}>
          Sign in
        </button>
      </section>
    );
  if (api?.status === 403)
    return (
      <section class="screen" role="alert" aria-labelledby="forbidden-title">
        <h2 id="forbidden-title">Not allowed</h2>
        <p class="server-message">{api.message}</p>
        <p>
          Ask a cluster administrator for a role with this permission on recordings.furnace.hyperfoil.io (for
          example the furnace-viewer or furnace-recorder ClusterRole, bound in the namespace).
        </p>
      </section>
    );
  if (api?.status === 404)
    return (
      <section class="screen" role="alert" aria-labelledby="not-found-title">
        <h2 id="not-found-title">Not found</h2>
        <p class="server-message">{api.message}</p>
        <p>
          <a href="/history">Back to the recordings</a>
        </p>
      </section>
    );
  return (
    <section class="screen" role="alert" aria-labelledby="error-title">
      <h2 id="error-title">Something went wrong</h2>
      <p class="server-message">{api?.message ?? (error instanceof Error ? error.message : String(error))}</p>
      {retry}
    </section>
  );
}
