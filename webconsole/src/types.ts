export type VmState = 'RUNNING' | 'PAUSED' | 'SHUTTING_DOWN' | 'STOPPED' | 'CRASHED' | 'UNAVAILABLE';
export type PowerAction = 'START' | 'SHUTDOWN' | 'FORCE_STOP' | 'REBOOT' | 'PAUSE' | 'RESUME';
export interface Page<T> { items: T[]; total: number; offset: number; limit: number }
export interface DiskSpec { pool: string; sizeBytes: number; format: string; bus: string }
export interface NicSpec { network: string; mac?: string | null; model: string }
export interface VmSpec { name: string; hypervisor: string; vcpus: number; memoryMiB: number; firmware: string; disks: DiskSpec[]; nics: NicSpec[]; tags: string[] }
export interface Vm { id: string; spec: VmSpec; state: VmState }
export interface BackendInfo { kind: 'HYPERVISOR' | 'STORAGE' | 'NETWORK'; name: string; description: string; capabilities: string[]; simulated: boolean }
export interface NodeInfo { id: string; name: string; hostname: string; version: string; cpus: number; memoryBytes: number; simulated: boolean; backends: BackendInfo[] }
export interface StoragePool { spec: { name: string; backend: string; options: Record<string, string> }; status: string; capacity: number; allocation: number; available: number; message?: string | null }
export interface Network { spec: { name: string; driver: string; type: string; cidr?: string | null; gateway?: string | null; dhcp: boolean; vlanId?: number | null; bridge?: string | null }; status: string; message?: string | null }
export interface QuantixEvent { kind: 'VM' | 'POOL' | 'VOLUME' | 'NETWORK' | 'BACKEND'; type: string; subject: string; message: string; at: string }
