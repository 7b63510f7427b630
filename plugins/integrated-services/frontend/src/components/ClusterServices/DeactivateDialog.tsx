import { useApi } from '@backstage/frontend-plugin-api';
import Typography from '@material-ui/core/Typography';
import type { ServiceInstanceView } from '@pipeline-portal/plugin-integrated-services-common';
import { useState } from 'react';
import { integratedServicesApiRef } from '../../api';
import { FormAlert, FormDialog } from '@pipeline-portal/frontend-kit';
import { errorMessage } from '../util';

/** Confirms deactivation: the reconciler uninstalls, then the instance goes. */
export function DeactivateDialog(props: {
  instance: ServiceInstanceView;
  onClose: () => void;
  onDone: () => void;
}) {
  const { cluster, service } = props.instance;
  const api = useApi(integratedServicesApiRef);
  const [alert, setAlert] = useState<FormAlert>();
  const [submitting, setSubmitting] = useState(false);
  return (
    <FormDialog
      open
      title={`Deactivate ${service} on ${cluster}?`}
      testId="deactivate-dialog"
      submitLabel="Deactivate"
      submitColor="secondary"
      form={{ submitting, alert }}
      onClose={props.onClose}
      onSubmit={async () => {
        setSubmitting(true);
        setAlert(undefined);
        try {
          await api.deleteInstance(cluster, service);
          props.onDone();
        } catch (e) {
          setAlert({ severity: 'error', text: errorMessage(e) });
        } finally {
          setSubmitting(false);
        }
      }}
    >
      <Typography variant="body2">
        The chart is uninstalled from the cluster and the ServiceInstance
        removed. Its spec and overrides are not kept.
      </Typography>
    </FormDialog>
  );
}
