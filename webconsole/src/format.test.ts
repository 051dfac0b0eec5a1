import { describe, expect, it } from 'vitest';
import { actionsFor, formatBytes, percent, viewVms } from './format';
import type { Vm, VmState } from './types';

const vm = (name: string, state: VmState, vcpus = 1, memoryMiB = 512, tags: string[] = []): Vm => ({
  id: name, state, spec: { name, hypervisor: 'libvirt', vcpus, memoryMiB, firmware: 'BIOS', disks: [], nics: [], tags },
});

describe('formatting', () => {
  it('prints binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(512 * 1024 ** 2)).toBe('512 MiB');
    expect(formatBytes(1024 ** 3)).toBe('1 GiB');
    expect(formatBytes(-1)).toBe('—');
  });
  it('bounds percentages and survives an empty total', () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 0)).toBe(0);
    expect(percent(7, 5)).toBe(100);
  });
  it('offers only the power actions of the state', () => {
    expect(actionsFor('STOPPED')).toEqual(['START']);
    expect(actionsFor('PAUSED')).toEqual(['RESUME', 'FORCE_STOP']);
    expect(actionsFor('UNAVAILABLE')).toEqual([]);
  });
});

describe('the VM table view', () => {
  const vms = [vm('db', 'RUNNING', 4, 4096, ['tier=data']), vm('web2', 'STOPPED', 2), vm('Web1', 'RUNNING', 1)];
  it('searches names and tags without case', () => {
    expect(viewVms(vms, 'WEB', 'ALL', 'name', true).map((v) => v.spec.name)).toEqual(['Web1', 'web2']);
    expect(viewVms(vms, 'tier', 'ALL', 'name', true).map((v) => v.spec.name)).toEqual(['db']);
  });
  it('filters by state and sorts both ways', () => {
    expect(viewVms(vms, '', 'RUNNING', 'vcpus', false).map((v) => v.spec.name)).toEqual(['db', 'Web1']);
    expect(viewVms(vms, '', 'ALL', 'memory', true).map((v) => v.spec.name)).toEqual(['web2', 'Web1', 'db']);
  });
});
