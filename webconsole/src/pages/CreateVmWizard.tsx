import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import { client } from '../api';
import { formatBytes, NAME_RULE } from '../format';
import { useNetworks, usePools } from '../queries';
import type { Vm } from '../types';
import { Button, Field, Modal, inputClass, showError } from '../ui';

const STEPS = ['Basics', 'Disk', 'Network', 'Review'] as const;

export function CreateVmWizard({ onClose }: { onClose: () => void }) {
  const pools = usePools();
  const networks = useNetworks();
  const queries = useQueryClient();
  const [step, setStep] = useState(0);
  const [name, setName] = useState('');
  const [vcpus, setVcpus] = useState(1);
  const [memoryMiB, setMemoryMiB] = useState(512);
  const [pool, setPool] = useState('');
  const [diskGiB, setDiskGiB] = useState(1);
  const [network, setNetwork] = useState('');
  const body = {
    name, vcpus, memoryMiB,
    disks: pool ? [{ pool, sizeBytes: diskGiB * 1024 ** 3 }] : [],
    nics: network ? [{ network }] : [],
  };
  const create = useMutation({
    mutationFn: () => client.request<Vm>('POST', '/vms', body),
    onSuccess: (vm) => { toast.success(`Created ${vm.spec.name}`); onClose(); },
    onError: showError,
    onSettled: () => queries.invalidateQueries({ queryKey: ['vms'] }),
  });
  const nameOk = NAME_RULE.test(name);
  const canNext = step !== 0 || (nameOk && vcpus >= 1 && memoryMiB >= 16);

  return (
    <Modal title="Create virtual machine" onClose={onClose}>
      <ol className="mb-4 flex gap-2 text-xs">{STEPS.map((s, i) => <li key={s} className={`rounded px-2 py-1 ${i === step ? 'bg-blue/20 text-blue' : 'text-muted'}`}>{i + 1}. {s}</li>)}</ol>
      {step === 0 && <>
        <Field label="Name"><input name="vm-name" className={inputClass} value={name} onChange={(e) => setName(e.target.value)} autoFocus /></Field>
        {name && !nameOk && <p className="-mt-2 mb-2 text-xs text-red">letters, digits, . _ - (up to 63), starting with a letter or digit</p>}
        <div className="grid grid-cols-2 gap-3">
          <Field label="vCPUs"><input name="vcpus" type="number" min={1} max={512} className={inputClass} value={vcpus} onChange={(e) => setVcpus(Number(e.target.value))} /></Field>
          <Field label="Memory (MiB)"><input name="memory" type="number" min={16} step={128} className={inputClass} value={memoryMiB} onChange={(e) => setMemoryMiB(Number(e.target.value))} /></Field>
        </div>
      </>}
      {step === 1 && <>
        <Field label="New disk in pool">
          <select name="pool" className={inputClass} value={pool} onChange={(e) => setPool(e.target.value)}>
            <option value="">no disk</option>
            {(pools.data?.items ?? []).map((p) => <option key={p.spec.name} value={p.spec.name} disabled={p.status !== 'AVAILABLE'}>{p.spec.name} ({formatBytes(p.available)} free)</option>)}
          </select>
        </Field>
        {pool && <Field label="Size (GiB)"><input name="disk-size" type="number" min={1} className={inputClass} value={diskGiB} onChange={(e) => setDiskGiB(Number(e.target.value))} /></Field>}
      </>}
      {step === 2 && (
        <Field label="NIC on network">
          <select name="network" className={inputClass} value={network} onChange={(e) => setNetwork(e.target.value)}>
            <option value="">no network</option>
            {(networks.data?.items ?? []).map((n) => <option key={n.spec.name} value={n.spec.name}>{n.spec.name} ({n.spec.type.toLowerCase()}{n.spec.cidr ? `, ${n.spec.cidr}` : ''})</option>)}
          </select>
        </Field>
      )}
      {step === 3 && (
        <dl className="mb-4 grid grid-cols-[6rem_1fr] gap-y-1 text-sm">
          <dt className="text-muted">Name</dt><dd>{name}</dd>
          <dt className="text-muted">CPU, memory</dt><dd>{vcpus} vCPU, {memoryMiB} MiB</dd>
          <dt className="text-muted">Disk</dt><dd>{pool ? `${diskGiB} GiB in ${pool}` : 'none'}</dd>
          <dt className="text-muted">NIC</dt><dd>{network || 'none'}</dd>
        </dl>
      )}
      <div className="mt-4 flex justify-between">
        <Button onClick={onClose}>Cancel</Button>
        <div className="flex gap-2">
          {step > 0 && <Button onClick={() => setStep(step - 1)}>Back</Button>}
          {step < STEPS.length - 1
            ? <Button tone="primary" disabled={!canNext} onClick={() => setStep(step + 1)}>Next</Button>
            : <Button tone="primary" disabled={create.isPending} onClick={() => create.mutate()}>Create</Button>}
        </div>
      </div>
    </Modal>
  );
}
