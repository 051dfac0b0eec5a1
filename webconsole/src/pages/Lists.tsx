import { formatBytes, percent } from '../format';
import { useNetworks, usePools } from '../queries';
import { Card } from '../ui';

export function Storage() {
  const pools = usePools();
  return (
    <Card title="Storage pools">
      <table className="w-full text-sm">
        <thead className="border-b border-line text-left text-muted"><tr><th className="px-3 py-2">Name</th><th className="px-3 py-2">Backend</th><th className="px-3 py-2">Status</th><th className="px-3 py-2 w-1/3">Capacity</th></tr></thead>
        <tbody>{(pools.data?.items ?? []).map((p) => (
          <tr key={p.spec.name} className="border-b border-line/50">
            <td className="px-3 py-2 font-medium">{p.spec.name}</td><td className="px-3 py-2">{p.spec.backend}</td>
            <td className={`px-3 py-2 ${p.status === 'AVAILABLE' ? 'text-green' : 'text-red'}`}>{p.status}{p.message ? `: ${p.message}` : ''}</td>
            <td className="px-3 py-2"><div className="h-2 rounded bg-hover"><div className="h-2 rounded bg-blue" style={{ width: `${percent(p.allocation, p.capacity)}%` }} /></div>
              <span className="text-xs text-muted">{formatBytes(p.allocation)} of {formatBytes(p.capacity)}, {formatBytes(p.available)} free</span></td>
          </tr>))}</tbody>
      </table>
    </Card>
  );
}

export function Networks() {
  const networks = useNetworks();
  return (
    <Card title="Networks">
      <table className="w-full text-sm">
        <thead className="border-b border-line text-left text-muted"><tr><th className="px-3 py-2">Name</th><th className="px-3 py-2">Driver</th><th className="px-3 py-2">Type</th><th className="px-3 py-2">Subnet</th><th className="px-3 py-2">DHCP</th><th className="px-3 py-2">Status</th></tr></thead>
        <tbody>{(networks.data?.items ?? []).map((n) => (
          <tr key={n.spec.name} className="border-b border-line/50">
            <td className="px-3 py-2 font-medium">{n.spec.name}</td><td className="px-3 py-2">{n.spec.driver}</td><td className="px-3 py-2">{n.spec.type}{n.spec.vlanId ? ` ${n.spec.vlanId}` : ''}</td>
            <td className="px-3 py-2">{n.spec.cidr ?? '—'}{n.spec.gateway ? ` via ${n.spec.gateway}` : ''}</td><td className="px-3 py-2">{n.spec.dhcp ? 'yes' : 'no'}</td>
            <td className={`px-3 py-2 ${n.status === 'AVAILABLE' ? 'text-green' : 'text-red'}`}>{n.status}</td>
          </tr>))}</tbody>
      </table>
    </Card>
  );
}
