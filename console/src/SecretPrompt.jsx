// Asks for the admin secret; keeps it in sessionStorage only once the engine accepts it.
import { useState } from 'react';
import { adminSecret, checkSecret } from './api.js';

export function SecretPrompt({ refusal, onAccepted }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState(refusal);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const answer = await checkSecret(value);
      if (answer.ok) {
        adminSecret.set(value);
        onAccepted();
      } else {
        setError(answer.message);
      }
    } catch (e) {
      setError(String(e.message || e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="prompt-backdrop">
      <form className="prompt" onSubmit={submit} data-testid="secret-prompt">
        <h1>Engine console</h1>
        <label htmlFor="admin-secret">Admin secret</label>
        <input
          id="admin-secret"
          type="password"
          autoFocus
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="HASURA_GRAPHQL_ADMIN_SECRET"
        />
        {error && <p className="error" role="alert" data-testid="secret-error">Refused: {error}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Checking…' : 'Open console'}</button>
        <p className="muted small">
          Kept in this tab's session storage only, and sent to this engine alone.
        </p>
      </form>
    </div>
  );
}
