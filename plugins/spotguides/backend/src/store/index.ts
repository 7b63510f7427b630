export { BindingStore } from './BindingStore';
export type { Binding } from './BindingStore';
export { DeliveryStore, dedupKey } from './DeliveryStore';
export type {
  ClaimedDelivery,
  InsertResult,
  NewDelivery,
  Outcome,
} from './DeliveryStore';
export { RunStore } from './RunStore';
export type { NewRunRecord, RunKey, RunRecord } from './RunStore';
