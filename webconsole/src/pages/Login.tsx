import { useState } from 'react';
import { Server } from 'lucide-react';
import { client, ApiError } from '../api';
import { useUi } from '../store';
import { Button, Field, inputClass } from '../ui';

export function Login() {
  const setUser = useUi((s) => s.setUser);
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await client.login(username, password);
      setUser(session.username);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    } finally {
      setBusy(false);
      setPassword('');
    }
  }

  return (
    <div className="flex h-full items-center justify-center">
      <form onSubmit={submit} className="w-80 rounded-lg border border-line bg-panel p-6">
        <div className="mb-5 flex items-center gap-2 text-lg font-semibold"><Server className="text-blue" size={22} /> Quantix Host</div>
        <Field label="Username"><input name="username" className={inputClass} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" /></Field>
        <Field label="Password"><input name="password" type="password" className={inputClass} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" autoFocus /></Field>
        {error && <p role="alert" className="mb-3 rounded border border-red/50 bg-red/10 p-2 text-sm text-red">{error}</p>}
        <Button type="submit" tone="primary" disabled={busy || !password} className="w-full justify-center">Log in</Button>
      </form>
    </div>
  );
}
