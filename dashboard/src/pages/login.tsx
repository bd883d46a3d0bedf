import { useState } from 'preact/hooks';
import { ApiError, logIn, type Session } from '../api.js';

export function LoginPage(props: { onLoggedIn: (session: Session) => void }) {
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      props.onLoggedIn(await logIn(apiKey));
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'That is not one of the API keys.'
          : (err as Error).message,
      );
    }
  };
  return (
    <main class="login">
      <h1>Sibyl dashboard</h1>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="current-password"
          required
          value={apiKey}
          onInput={(e) => setApiKey(e.currentTarget.value)}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'api-key-error' : 'api-key-help'}
        />
        <p id="api-key-help" class="help">
          One of SIBYL_API_KEYS (the demo prints its key when it starts).
        </p>
        {error && (
          <p id="api-key-error" class="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary">
          Log in
        </button>
      </form>
    </main>
  );
}
