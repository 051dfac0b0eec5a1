import type { ReactNode } from 'react';
import { toast } from 'sonner';
import { ApiError } from './api';
import { STATE_TONE } from './format';
import type { VmState } from './types';

/** Every failed call ends here: the API's own message, its code as the title. */
export function showError(error: unknown) {
  if (error instanceof ApiError) toast.error(error.code, { description: error.message });
  else toast.error('Request failed', { description: error instanceof Error ? error.message : String(error) });
}

export function Card({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <section className="rounded-lg border border-line bg-card p-4">
      <div className="mb-3 flex items-center justify-between">
        <h2 className="text-sm font-semibold uppercase tracking-wide text-muted">{title}</h2>
        {action}
      </div>
      {children}
    </section>
  );
}

export function StateBadge({ state }: { state: VmState }) {
  return <span data-testid="state-badge" className={`inline-block rounded border px-2 py-0.5 text-xs font-medium ${STATE_TONE[state]}`}>{state}</span>;
}

export function SimulatedBadge() {
  return <span className="rounded border border-yellow/50 bg-yellow/15 px-2 py-0.5 text-xs font-bold text-yellow">SIMULATED</span>;
}

export function Button({ children, tone = 'plain', ...props }: React.ButtonHTMLAttributes<HTMLButtonElement> & { tone?: 'plain' | 'primary' | 'danger' }) {
  const tones = {
    plain: 'border-line bg-panel hover:bg-hover text-gray-200',
    primary: 'border-blue/60 bg-blue/20 hover:bg-blue/30 text-blue',
    danger: 'border-red/60 bg-red/15 hover:bg-red/25 text-red',
  };
  return <button {...props} className={`inline-flex items-center gap-1.5 rounded border px-3 py-1.5 text-sm disabled:opacity-50 ${tones[tone]} ${props.className ?? ''}`}>{children}</button>;
}

export function Modal({ title, children, onClose }: { title: string; children: ReactNode; onClose: () => void }) {
  return (
    <div className="fixed inset-0 z-40 flex items-center justify-center bg-black/60" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div role="dialog" aria-label={title} className="w-full max-w-lg rounded-lg border border-line bg-panel p-5 shadow-xl">
        <h2 className="mb-4 text-lg font-semibold">{title}</h2>
        {children}
      </div>
    </div>
  );
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="mb-3 block text-sm">
      <span className="mb-1 block text-muted">{label}</span>
      {children}
    </label>
  );
}

export const inputClass = 'w-full rounded border border-line bg-bg px-3 py-1.5 text-gray-100 outline-none focus:border-blue';
