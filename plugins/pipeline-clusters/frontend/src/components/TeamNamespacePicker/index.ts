import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import {
  TeamNamespacePicker,
  teamNamespaceValidation,
} from './TeamNamespacePicker';

export { TeamNamespacePicker, teamNamespaceValidation };
export type {
  TeamNamespacePickerProps,
  TeamNamespacePickerUiOptions,
} from './TeamNamespacePicker';

/** `ui:field: TeamNamespacePicker`, with `ui:options: { clusterField }`. */
export const teamNamespacePickerFormField = createFormField({
  name: 'TeamNamespacePicker',
  component: TeamNamespacePicker,
  validation: teamNamespaceValidation,
});
