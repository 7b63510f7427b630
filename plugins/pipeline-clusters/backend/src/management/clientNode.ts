// The loader lives in the backend kit; this path stays for the wiring that
// still imports it.
export { clientNode } from '@pipeline-portal/backend-kit';
