import { Cpu, MemoryStick, HardDrive, Activity } from 'lucide-react';
import { PieChart, Pie, Cell } from 'recharts';
import { useNode, usePools, useVms } from '../queries';
import { formatBytes, percent } from '../format';
import { Card, SimulatedBadge, StateBadge } from '../ui';
import type { VmState } from '../types';

function Ring({ label, used, total, text, icon }: { label: string; used: number; total: number; text: string; icon: React.ReactNode }) {
  const share = percent(used, total);
  const color = share > 90 ? '#f85149' : share > 70 ? '#d29922' : '#58a6ff';
  return (
    <div className="flex items-center gap-3" data-testid={`ring-${label.toLowerCase()}`}>
      <div className="relative h-20 w-20">
        <PieChart width={80} height={80}>
          <Pie data={[{ v: share }, { v: 100 - share }]} dataKey="v" innerRadius={28} outerRadius={38} startAngle={90} endAngle={-270} stroke="none" isAnimationActive={false}>
            <Cell fill={color} /><Cell fill="#242d3a" />
          </Pie>
        </PieChart>
        <span className="absolute inset-0 flex items-center justify-center text-sm font-semibold">{share}%</span>
      </div>
      <div>
        <div className="flex items-center gap-1 text-sm text-muted">{icon}{label}</div>
        <div className="text-sm">{text}</div>
      </div>
    </div>
  );
}

export function Dashboard() {
  const node = useNode();
  const vms = useVms();
  const pools = usePools();
  const items = vms.data?.items ?? [];
  const running = items.filter((v) => v.state === 'RUNNING' || v.state === 'PAUSED');
  const vcpus = running.reduce((n, v) => n + v.spec.vcpus, 0);
  const memory = running.reduce((n, v) => n + v.spec.memoryMiB * 1024 * 1024, 0);
  const poolItems = pools.data?.items ?? [];
  const capacity = poolItems.reduce((n, p) => n + p.capacity, 0);
  const allocation = poolItems.reduce((n, p) => n + p.allocation, 0);
  const byState = items.reduce<Partial<Record<VmState, number>>>((m, v) => ({ ...m, [v.state]: (m[v.state] ?? 0) + 1 }), {});
  const info = node.data;

  return (
    <div className="grid gap-4 lg:grid-cols-3">
      <Card title="Host">
        {info ? (
          <dl className="grid grid-cols-[7rem_1fr] gap-y-1 text-sm" data-testid="host-identity">
            <dt className="text-muted">Name</dt><dd className="font-semibold">{info.name}</dd>
            <dt className="text-muted">Hostname</dt><dd>{info.hostname}</dd>
            <dt className="text-muted">Node ID</dt><dd className="truncate font-mono text-xs leading-5">{info.id}</dd>
            <dt className="text-muted">Version</dt><dd>{info.version}</dd>
            <dt className="text-muted">Hardware</dt><dd>{info.cpus} CPUs, {formatBytes(info.memoryBytes)}</dd>
            {info.simulated && <><dt className="text-muted">Mode</dt><dd><SimulatedBadge /> <span className="text-xs text-muted">no real VMs run here</span></dd></>}
          </dl>
        ) : <p className="text-sm text-muted">{node.isError ? 'cannot read the node' : 'loading…'}</p>}
      </Card>
      <Card title="Resources">
        <div className="grid gap-3">
          <Ring label="CPU" icon={<Cpu size={14} />} used={vcpus} total={info?.cpus ?? 0} text={`${vcpus} vCPUs of ${info?.cpus ?? '?'} CPUs (running VMs)`} />
          <Ring label="Memory" icon={<MemoryStick size={14} />} used={memory} total={info?.memoryBytes ?? 0} text={`${formatBytes(memory)} of ${formatBytes(info?.memoryBytes ?? 0)}`} />
          <Ring label="Storage" icon={<HardDrive size={14} />} used={allocation} total={capacity} text={`${formatBytes(allocation)} of ${formatBytes(capacity)}`} />
        </div>
      </Card>
      <Card title="Virtual machines">
        <div className="mb-3 flex flex-wrap gap-2" data-testid="vms-by-state">
          <span className="text-2xl font-semibold">{items.length}</span>
          {(Object.entries(byState) as [VmState, number][]).map(([state, count]) => (
            <span key={state} className="flex items-center gap-1 text-sm"><StateBadge state={state} /> {count}</span>
          ))}
        </div>
        <ul className="space-y-1 text-sm">
          {items.slice(0, 6).map((vm) => <li key={vm.spec.name} className="flex justify-between"><span>{vm.spec.name}</span><StateBadge state={vm.state} /></li>)}
        </ul>
      </Card>
      <Card title="Storage pools">
        <ul className="space-y-3 text-sm">
          {poolItems.map((p) => (
            <li key={p.spec.name}>
              <div className="flex justify-between"><span>{p.spec.name} <span className="text-muted">({p.spec.backend})</span></span><span className={p.status === 'AVAILABLE' ? 'text-green' : 'text-red'}>{p.status}</span></div>
              <div className="mt-1 h-2 rounded bg-hover"><div className="h-2 rounded bg-blue" style={{ width: `${percent(p.allocation, p.capacity)}%` }} /></div>
              <div className="text-xs text-muted">{formatBytes(p.allocation)} used of {formatBytes(p.capacity)}</div>
            </li>
          ))}
          {!poolItems.length && <li className="text-muted">no pools</li>}
        </ul>
      </Card>
      <Card title="Backends">
        <ul className="space-y-1 text-sm" data-testid="backends">
          {(info?.backends ?? []).map((b) => (
            <li key={b.kind + b.name} className="flex items-center justify-between gap-2">
              <span className="flex items-center gap-1"><Activity size={14} className="text-green" />{b.name} <span className="text-xs text-muted">{b.kind.toLowerCase()}</span></span>
              {b.simulated ? <SimulatedBadge /> : <span className="text-xs text-green">running</span>}
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
