// Sign-in for auth mode `kubernetes`: a token, checked by the server with a TokenReview and kept in
// an HttpOnly cookie, so no script of this page can read it afterwards.
import { useState } from 'preact/hooks';
import type { SessionView } from '../../../core/contract/ui-contract.ts';
import { ApiError, postJson } from '../api/client.ts';

export function SignIn({ reason, onSignedIn }: { reason?: string | undefined; onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = (event: Event): void => {
    event.preventDefault();
    setBusy(true);
    setError('');
    postJson<SessionView>('/api/v1/session', { token: token.trim() })
      .then(onSignedIn, (failure: unknown) =>
        setError(failure instanceof ApiError ? failure.message : String(failure)),
      )
      .finally(() => setBusy(false));
  };
  return (
    <section class="screen sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p>This Furnace server checks who you are with the Kubernetes API server. Paste a token of yours:</p>
      <ul class="hint">
        <li>
          <code>kubectl create token SERVICE-ACCOUNT -n NAMESPACE</code> for a service account, or
        </li>
        <li>
          <code>oc whoami -t</code> on OpenShift.
        </li>
      </ul>
      <form onSubmit={submit}>
        <div class="field">
          <label for="token">Token</label>
          <textarea
            id="token"
            rows={4}
            autoComplete="off"
            spellcheck={false}
            value={token}
            aria-invalid={error !== ''}
            aria-describedby={error ? 'token-error' : undefined}
            onInput={(event) => setToken(event.currentTarget.value)}
          />
          {error ? (
            <p id="token-error" class="field-error" role="alert">
              {error}
            </p>
          ) : null}
        </div>
        <button type="submit" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
      </form>
      {reason ? <p class="hint">Not signed in: {reason}</p> : null}
    </section>
  );
}
