import { useMemo, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Play, Square, Power, RotateCw, Pause, PlayCircle, Plus, ArrowUpDown, Search, MonitorPlay } from 'lucide-react';
import { toast } from 'sonner';
import { client } from '../api';
import { actionsFor, DESTRUCTIVE, formatBytes, viewVms, type SortKey } from '../format';
import { useVms } from '../queries';
import type { PowerAction, Vm, VmState } from '../types';
import { Button, Card, Modal, StateBadge, inputClass, showError } from '../ui';
import { CreateVmWizard } from './CreateVmWizard';
import { VmConsole } from './VmConsole';

const ACTION: Record<PowerAction, { label: string; icon: React.ReactNode }> = {
  START: { label: 'Start', icon: <Play size={14} /> },
  SHUTDOWN: { label: 'Stop', icon: <Square size={14} /> },
  FORCE_STOP: { label: 'Force stop', icon: <Power size={14} /> },
  REBOOT: { label: 'Reboot', icon: <RotateCw size={14} /> },
  PAUSE: { label: 'Pause', icon: <Pause size={14} /> },
  RESUME: { label: 'Resume', icon: <PlayCircle size={14} /> },
};
const STATES: (VmState | 'ALL')[] = ['ALL', 'RUNNING', 'PAUSED', 'SHUTTING_DOWN', 'STOPPED', 'CRASHED', 'UNAVAILABLE'];

export function Vms() {
  const vms = useVms();
  const queries = useQueryClient();
  const [search, setSearch] = useState('');
  const [state, setState] = useState<VmState | 'ALL'>('ALL');
  const [sort, setSort] = useState<SortKey>('name');
  const [ascending, setAscending] = useState(true);
  const [confirm, setConfirm] = useState<{ vm: Vm; action: PowerAction } | null>(null);
  const [creating, setCreating] = useState(false);
  const [consoleVm, setConsoleVm] = useState<string | null>(null);
  const power = useMutation({
    mutationFn: ({ vm, action }: { vm: Vm; action: PowerAction }) =>
      client.request<Vm>('POST', `/vms/${encodeURIComponent(vm.spec.name)}/power`, { action }),
    // the badge itself follows the event stream; this only says the request was taken
    onSuccess: (_, { vm, action }) => toast.success(`${ACTION[action].label}: ${vm.spec.name}`),
    onError: showError,
    onSettled: () => queries.invalidateQueries({ queryKey: ['vms'] }),
  });
  const rows = useMemo(() => viewVms(vms.data?.items ?? [], search, state, sort, ascending), [vms.data, search, state, sort, ascending]);

  function act(vm: Vm, action: PowerAction) {
    if (DESTRUCTIVE.has(action)) setConfirm({ vm, action });
    else power.mutate({ vm, action });
  }
  function header(key: SortKey, label: string) {
    return (
      <th className="px-3 py-2 text-left font-medium">
        <button className="inline-flex items-center gap-1 hover:text-blue" onClick={() => { if (sort === key) setAscending(!ascending); else { setSort(key); setAscending(true); } }}>
          {label}<ArrowUpDown size={12} className={sort === key ? 'text-blue' : 'text-muted'} />
        </button>
      </th>
    );
  }

  return (
    <Card title={`Virtual machines (${vms.data?.total ?? 0})`} action={<Button tone="primary" onClick={() => setCreating(true)}><Plus size={14} />Create VM</Button>}>
      <div className="mb-3 flex flex-wrap gap-2">
        <div className="relative"><Search size={14} className="absolute left-2 top-2.5 text-muted" />
          <input aria-label="Search" placeholder="Search name or tag" className={`${inputClass} w-64 pl-7`} value={search} onChange={(e) => setSearch(e.target.value)} /></div>
        <select aria-label="State filter" className={`${inputClass} w-44`} value={state} onChange={(e) => setState(e.target.value as VmState | 'ALL')}>
          {STATES.map((s) => <option key={s} value={s}>{s === 'ALL' ? 'All states' : s}</option>)}
        </select>
      </div>
      <div className="overflow-x-auto">
        <table className="w-full text-sm">
          <thead className="border-b border-line text-muted">
            <tr>{header('name', 'Name')}{header('state', 'State')}{header('vcpus', 'vCPUs')}{header('memory', 'Memory')}<th className="px-3 py-2 text-left font-medium">Disks / NICs</th><th className="px-3 py-2 text-right font-medium">Actions</th></tr>
          </thead>
          <tbody>
            {rows.map((vm) => (
              <tr key={vm.spec.name} data-vm={vm.spec.name} className="border-b border-line/50 hover:bg-hover">
                <td className="px-3 py-2 font-medium">{vm.spec.name}<div className="text-xs text-muted">{vm.spec.hypervisor}</div></td>
                <td className="px-3 py-2"><StateBadge state={vm.state} /></td>
                <td className="px-3 py-2">{vm.spec.vcpus}</td>
                <td className="px-3 py-2">{formatBytes(vm.spec.memoryMiB * 1024 * 1024)}</td>
                <td className="px-3 py-2 text-muted">{vm.spec.disks.length} / {vm.spec.nics.length}</td>
                <td className="px-3 py-2"><div className="flex justify-end gap-1">
                  {(vm.state === 'RUNNING' || vm.state === 'PAUSED') && (
                    <Button title="Console" aria-label={`Console ${vm.spec.name}`} onClick={() => setConsoleVm(vm.spec.name)}><MonitorPlay size={14} /><span className="hidden xl:inline">Console</span></Button>
                  )}
                  {actionsFor(vm.state).map((a) => (
                    <Button key={a} title={ACTION[a].label} aria-label={`${ACTION[a].label} ${vm.spec.name}`} tone={DESTRUCTIVE.has(a) ? 'danger' : 'plain'} disabled={power.isPending} onClick={() => act(vm, a)}>{ACTION[a].icon}<span className="hidden xl:inline">{ACTION[a].label}</span></Button>
                  ))}
                </div></td>
              </tr>
            ))}
            {!rows.length && <tr><td colSpan={6} className="px-3 py-6 text-center text-muted">{vms.isLoading ? 'loading…' : 'no virtual machines match'}</td></tr>}
          </tbody>
        </table>
      </div>
      {confirm && (
        <Modal title={`${ACTION[confirm.action].label} ${confirm.vm.spec.name}?`} onClose={() => setConfirm(null)}>
          <p className="mb-4 text-sm text-muted">This cuts the power: the guest gets no chance to save its work, and unsaved data is lost.</p>
          <div className="flex justify-end gap-2">
            <Button onClick={() => setConfirm(null)}>Cancel</Button>
            <Button tone="danger" onClick={() => { power.mutate(confirm); setConfirm(null); }}>{ACTION[confirm.action].label}</Button>
          </div>
        </Modal>
      )}
      {creating && <CreateVmWizard onClose={() => setCreating(false)} />}
      {consoleVm && <VmConsole vm={consoleVm} onClose={() => setConsoleVm(null)} />}
    </Card>
  );
}
