import type { Vm, VmState, PowerAction } from './types';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Binary units, one decimal below 10 (1.5 GiB), none above (512 MiB). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits).replace(/\.0$/, '')} ${UNITS[unit]}`;
}

/** Share of used in total as a whole percent, 0 when total is 0 (an empty or unavailable pool). */
export function percent(used: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.min(100, Math.max(0, Math.round((used / total) * 100)));
}

export const STATE_TONE: Record<VmState, string> = {
  RUNNING: 'bg-green/15 text-green border-green/40',
  PAUSED: 'bg-yellow/15 text-yellow border-yellow/40',
  SHUTTING_DOWN: 'bg-yellow/15 text-yellow border-yellow/40',
  STOPPED: 'bg-hover text-muted border-line',
  CRASHED: 'bg-red/15 text-red border-red/40',
  UNAVAILABLE: 'bg-red/15 text-red border-red/40',
};

/** The power actions that make sense in a state (the API still has the last word). */
export function actionsFor(state: VmState): PowerAction[] {
  switch (state) {
    case 'RUNNING': return ['SHUTDOWN', 'REBOOT', 'PAUSE', 'FORCE_STOP'];
    case 'PAUSED': return ['RESUME', 'FORCE_STOP'];
    case 'SHUTTING_DOWN': return ['FORCE_STOP'];
    case 'STOPPED': case 'CRASHED': return ['START'];
    case 'UNAVAILABLE': return [];
  }
}

/** Actions that can lose the guest's unsaved data: they ask first. */
export const DESTRUCTIVE: ReadonlySet<PowerAction> = new Set(['FORCE_STOP']);

export type SortKey = 'name' | 'state' | 'vcpus' | 'memory';

/** The VM table's view: search by name or tag, filter by state, sort stable by one column. */
export function viewVms(vms: Vm[], search: string, state: VmState | 'ALL', sort: SortKey, ascending: boolean): Vm[] {
  const needle = search.trim().toLowerCase();
  const key = (vm: Vm): string | number => {
    switch (sort) {
      case 'name': return vm.spec.name.toLowerCase();
      case 'state': return vm.state;
      case 'vcpus': return vm.spec.vcpus;
      case 'memory': return vm.spec.memoryMiB;
    }
  };
  return vms
    .filter((vm) => state === 'ALL' || vm.state === state)
    .filter((vm) => !needle || vm.spec.name.toLowerCase().includes(needle)
      || vm.spec.tags.some((t) => t.toLowerCase().includes(needle)))
    .map((vm, index) => ({ vm, index }))
    .sort((a, b) => {
      const x = key(a.vm);
      const y = key(b.vm);
      const order = x < y ? -1 : x > y ? 1 : a.index - b.index;
      return ascending || x === y ? order : -order;
    })
    .map(({ vm }) => vm);
}

export const NAME_RULE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
