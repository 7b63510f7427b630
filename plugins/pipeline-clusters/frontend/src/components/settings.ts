import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { pipelineClustersApiRef } from '../api';

/** What the backend offers (GET /settings): provisioning and versions. */
export function useClustersSettings() {
  const api = useApi(pipelineClustersApiRef);
  return useAsync(() => api.getSettings(), [api]);
}
