import { useApi } from '@backstage/frontend-plugin-api';
import { importClusterSchema } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { useState } from 'react';
import { pipelineClustersApiRef } from '../../api';
import { FormDialog } from '@pipeline-portal/frontend-kit';
import { FormTextField, NameField } from '../forms/FormTextField';
import { OwnerSelect, useDefaultOwner } from '../forms/OwnerSelect';
import { useFormSubmit, validated } from '../forms/useFormSubmit';

export function ImportClusterDialog(props: {
  open: boolean;
  groups: string[];
  onClose: () => void;
  onImported: () => void;
}) {
  const api = useApi(pipelineClustersApiRef);
  const [name, setName] = useState('');
  const [owner, setOwner] = useDefaultOwner(props.groups);
  const [kubeconfig, setKubeconfig] = useState('');
  const form = useFormSubmit();

  const close = () => {
    // The kubeconfig holds credentials: do not keep it around.
    setKubeconfig('');
    props.onClose();
  };

  const submit = async () => {
    const input = validated(
      importClusterSchema.safeParse({ name: name.trim(), owner, kubeconfig }),
    );
    const sent = await form.submit(input, request =>
      api.importCluster(request).then(() => undefined),
    );
    if (sent) {
      setName('');
      setKubeconfig('');
      props.onImported();
    }
  };

  return (
    <FormDialog
      open={props.open}
      title="Import cluster"
      testId="import-cluster"
      submitLabel="Import"
      form={form}
      onClose={close}
      onSubmit={submit}
    >
      <NameField
        margin="dense"
        value={name}
        onValue={setName}
        testId="import-cluster-name"
        error={form.errors.name}
      />
      <OwnerSelect
        value={owner}
        groups={props.groups}
        testId="import-cluster-owner"
        margin="dense"
        error={form.errors.owner}
        onChange={setOwner}
      />
      <FormTextField
        label="Kubeconfig"
        fullWidth
        required
        multiline
        minRows={8}
        margin="dense"
        variant="outlined"
        value={kubeconfig}
        onValue={setKubeconfig}
        testId="import-cluster-kubeconfig"
        inputProps={{ spellCheck: false, style: { fontFamily: 'monospace' } }}
        error={form.errors.kubeconfig}
      />
    </FormDialog>
  );
}
