export {
  detectDrift,
  correction,
  describeDrift,
  engineMustCatchUp,
} from './drift';
export type { ObjectDrift } from './drift';
export { compareObject, formatPath, formatValue } from './compare';
export type { FieldDrift, FieldPath } from './compare';
