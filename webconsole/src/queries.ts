import { useQuery } from '@tanstack/react-query';
import { client } from './api';
import type { Network, NodeInfo, Page, StoragePool, Vm } from './types';

export const useNode = () => useQuery({ queryKey: ['node'], queryFn: () => client.request<NodeInfo>('GET', '/node') });
export const useVms = () => useQuery({ queryKey: ['vms'], queryFn: () => client.request<Page<Vm>>('GET', '/vms?limit=1000') });
export const usePools = () => useQuery({ queryKey: ['pools'], queryFn: () => client.request<Page<StoragePool>>('GET', '/pools') });
export const useNetworks = () => useQuery({ queryKey: ['networks'], queryFn: () => client.request<Page<Network>>('GET', '/networks') });
