/**
 * Generic UI pieces the portal's frontend plugins share.
 *
 * @packageDocumentation
 */
export { FormDialog } from './FormDialog';
export type { FormAlert, FormDialogProps } from './FormDialog';
