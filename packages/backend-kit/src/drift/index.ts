export {
  correction,
  describeDrift,
  detectDrift,
  engineMustCatchUp,
} from './drift';
export type { ObjectDrift } from './drift';
export { compareObject, formatPath, formatValue } from './compare';
export type { DriftRules, FieldDrift, FieldPath, ListItemKey } from './compare';
