import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { LayoutDashboard, Monitor, HardDrive, Network as NetworkIcon, LogOut, KeyRound, Radio } from 'lucide-react';
import { toast } from 'sonner';
import { client } from './api';
import { followEvents } from './events';
import { useNode } from './queries';
import { useUi, type PageName } from './store';
import { Button, Field, Modal, SimulatedBadge, inputClass, showError } from './ui';
import { Login } from './pages/Login';
import { Dashboard } from './pages/Dashboard';
import { Vms } from './pages/Vms';
import { Networks, Storage } from './pages/Lists';

const NAV: { page: PageName; label: string; icon: React.ReactNode }[] = [
  { page: 'dashboard', label: 'Dashboard', icon: <LayoutDashboard size={16} /> },
  { page: 'vms', label: 'Virtual machines', icon: <Monitor size={16} /> },
  { page: 'storage', label: 'Storage', icon: <HardDrive size={16} /> },
  { page: 'networks', label: 'Networking', icon: <NetworkIcon size={16} /> },
];
/** Which cached lists an event makes stale. */
const STALE: Record<string, string[][]> = { VM: [['vms']], POOL: [['pools']], VOLUME: [['pools']], NETWORK: [['networks']], BACKEND: [['node']] };

export function App() {
  const { username, setUser } = useUi();
  const [checking, setChecking] = useState(true);
  useEffect(() => {
    client.onUnauthenticated(() => setUser(null));
    // a reload keeps the HttpOnly cookie: ask the node whether it is still a session, and for its CSRF token
    client.restore().then((s) => setUser(s.username), () => setUser(null)).finally(() => setChecking(false));
  }, [setUser]);
  if (checking) return null;
  return username ? <Shell /> : <Login />;
}

function Shell() {
  const { page, go, username, setUser, eventsLive, setEventsLive } = useUi();
  const queries = useQueryClient();
  const node = useNode();
  const [changing, setChanging] = useState(false);
  useEffect(() => followEvents((event) => {
    for (const key of STALE[event.kind] ?? []) queries.invalidateQueries({ queryKey: key });
  }, setEventsLive), [queries, setEventsLive]);

  async function logout() {
    try { await client.logout(); } catch (e) { showError(e); }
    queries.clear();
    setUser(null);
  }

  return (
    <div className="flex h-full">
      <nav className="flex w-56 shrink-0 flex-col border-r border-line bg-panel p-3">
        <div className="mb-5 px-2 text-lg font-semibold text-blue">Quantix Host</div>
        {NAV.map((n) => (
          <button key={n.page} onClick={() => go(n.page)} className={`mb-1 flex items-center gap-2 rounded px-2 py-1.5 text-left text-sm ${page === n.page ? 'bg-hover text-blue' : 'text-gray-300 hover:bg-hover'}`}>{n.icon}{n.label}</button>
        ))}
      </nav>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-between border-b border-line bg-panel px-5 py-2">
          <div className="flex items-center gap-2 text-sm"><span className="font-semibold">{node.data?.name ?? '…'}</span>{node.data?.simulated && <SimulatedBadge />}</div>
          <div className="flex items-center gap-2 text-sm">
            <span title={eventsLive ? 'live updates from the event stream' : 'event stream disconnected: reconnecting'} className={`flex items-center gap-1 ${eventsLive ? 'text-green' : 'text-yellow'}`} data-testid="events-live"><Radio size={14} />{eventsLive ? 'live' : 'offline'}</span>
            <span className="text-muted">{username}</span>
            <Button onClick={() => setChanging(true)}><KeyRound size={14} />Password</Button>
            <Button onClick={logout}><LogOut size={14} />Log out</Button>
          </div>
        </header>
        <main className="flex-1 overflow-auto p-5">
          {page === 'dashboard' && <Dashboard />}
          {page === 'vms' && <Vms />}
          {page === 'storage' && <Storage />}
          {page === 'networks' && <Networks />}
        </main>
      </div>
      {changing && <ChangePassword onClose={() => setChanging(false)} />}
    </div>
  );
}

function ChangePassword({ onClose }: { onClose: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    try {
      await client.request('POST', '/auth/password', { currentPassword: current, newPassword: next });
      toast.success('Password changed; every other session was logged out');
      onClose();
    } catch (failure) {
      showError(failure);
    }
  }
  return (
    <Modal title="Change password" onClose={onClose}>
      <form onSubmit={submit}>
        <Field label="Current password"><input type="password" className={inputClass} value={current} onChange={(e) => setCurrent(e.target.value)} autoComplete="current-password" /></Field>
        <Field label="New password"><input type="password" className={inputClass} value={next} onChange={(e) => setNext(e.target.value)} autoComplete="new-password" /></Field>
        <div className="flex justify-end gap-2"><Button type="button" onClick={onClose}>Cancel</Button><Button tone="primary" type="submit">Change</Button></div>
      </form>
    </Modal>
  );
}
