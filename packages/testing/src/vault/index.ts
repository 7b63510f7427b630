export { startVault } from './server';
export type {
  VaultDouble,
  VaultDoubleOptions,
  VaultFault,
  VaultHealthState,
} from './server';
export type { KubernetesRole, AppRole } from './auth';
export type { Capability, PolicyRule, PolicySet } from './policies';
export type { KvEngine } from './kv';
export type { Clock } from './tokens';
