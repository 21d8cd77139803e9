// Sign in with a password (or register, where the server allows it), a wallet
// (`window.ethereum`, Sign-In with Ethereum), or an API key kept for this tab only.

import { useState, type FormEvent } from 'react';
import { hasWallet, register, signInWithKey, signInWithPassword, signInWithWallet } from '../api/accounts';
import { useSession } from '../store/session';

type Mode = 'password' | 'key';

export function SignIn() {
  const [mode, setMode] = useState<Mode>('password');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const attempt = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      await useSession.getState().refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void attempt(() => (mode === 'key' ? signInWithKey(key.trim()) : signInWithPassword(name.trim(), password)));
  };

  return (
    <div className="ff-modal-backdrop">
      <form className="ff-modal" onSubmit={submit} data-testid="sign-in">
        <h2 className="ff-panel-title">Sign in to FusionFlow</h2>
        {mode === 'password' ? (
          <>
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Username" autoComplete="username" aria-label="Username" autoFocus />
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} placeholder="Password" autoComplete="current-password" aria-label="Password" />
          </>
        ) : (
          <input type="password" value={key} onChange={(e) => setKey(e.target.value)} placeholder="API key" aria-label="API key" autoFocus />
        )}
        {error && (
          <p className="ff-field-error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
        <div className="ff-inline-form">
          <button type="submit" className="primary" disabled={busy} data-testid="sign-in-submit">
            Sign in
          </button>
          {mode === 'password' && (
            <button type="button" disabled={busy || !name || !password} onClick={() => void attempt(() => register(name.trim(), password))}>
              Create account
            </button>
          )}
          {hasWallet() && (
            <button type="button" disabled={busy} onClick={() => void attempt(signInWithWallet)} data-testid="sign-in-wallet">
              Sign in with wallet
            </button>
          )}
        </div>
        <button type="button" className="ff-link" onClick={() => setMode(mode === 'key' ? 'password' : 'key')}>
          {mode === 'key' ? 'Use a username and password' : 'Use an API key instead (kept for this tab only)'}
        </button>
      </form>
    </div>
  );
}
