import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import { clusterKubeconfigReadPermission } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { useState } from 'react';
import { pipelineClustersApiRef } from '../../api';
import { errorMessage } from '../util';

/** Saves a file via a temporary object URL, without keeping the content in state. */
function saveFile(fileName: string, content: string) {
  const url = URL.createObjectURL(
    new Blob([content], { type: 'application/yaml' }),
  );
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

/** Shown only to those allowed to read this cluster's kubeconfig. */
export function KubeconfigButton(props: {
  name: string;
  onError: (message: string) => void;
}) {
  const api = useApi(pipelineClustersApiRef);
  const { allowed } = usePermission({
    permission: clusterKubeconfigReadPermission,
    resourceRef: props.name,
  });
  const [busy, setBusy] = useState(false);
  if (!allowed) {
    return null;
  }
  return (
    <Button
      variant="outlined"
      disabled={busy}
      data-testid="download-kubeconfig-button"
      onClick={async () => {
        setBusy(true);
        try {
          saveFile(
            `${props.name}-kubeconfig.yaml`,
            await api.getKubeconfig(props.name),
          );
        } catch (e) {
          props.onError(errorMessage(e));
        } finally {
          setBusy(false);
        }
      }}
    >
      Download kubeconfig
    </Button>
  );
}
