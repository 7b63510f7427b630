import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Alert from '@material-ui/lab/Alert';
import type {
  ServiceInstanceView,
  ServiceSummary,
} from '@pipeline-portal/plugin-integrated-services-common';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { integratedServicesApiRef } from '../../api';
import { ActivateDialog } from '../Activate/ActivateDialog';
import { UpgradeDialog } from '../Upgrade/UpgradeDialog';
import { errorMessage, isTransitional, statusCodeOf } from '../util';
import { DeactivateDialog } from './DeactivateDialog';
import { RowAction, ServiceRow } from './ServiceRow';

const POLL_MS = 3000;

type Open = { action: RowAction; service: ServiceSummary };

/** A service an instance names that the catalog no longer offers. */
const unlisted = (instance: ServiceInstanceView): ServiceSummary => ({
  name: instance.service,
  category: '—',
  owner: '',
  versions: [],
  newestVersion: '',
});

/**
 * Every service offered, on one cluster: whether it is active, its phase,
 * version, drift and who manages it, with activate, edit, version change and
 * deactivate. Polls while the reconciler works.
 */
export function ClusterServices(props: { cluster: string }) {
  const { cluster } = props;
  const api = useApi(integratedServicesApiRef);
  const [open, setOpen] = useState<Open>();
  const state = useAsyncRetry(async () => {
    const [services, instances] = await Promise.all([
      api.listServices(),
      api.listClusterInstances(cluster),
    ]);
    return { services: services.items, instances };
  }, [api, cluster]);
  const instances = state.value?.instances.items ?? [];
  const working = instances.some(
    i => isTransitional(i.status.phase) || !i.status.upToDate,
  );
  useInterval(state.retry, working ? POLL_MS : null);

  if (!state.value) {
    if (state.loading) return <Progress />;
    if (statusCodeOf(state.error) === 404) {
      return (
        <Alert severity="info" data-testid="cluster-services-no-cluster">
          There is no cluster {cluster}; it may have been deleted.
        </Alert>
      );
    }
    if (statusCodeOf(state.error) === 409) {
      // The cluster is not Running: its services cannot be read now.
      return (
        <Alert severity="info" data-testid="cluster-services-not-running">
          {errorMessage(state.error)}
        </Alert>
      );
    }
    return <ResponseErrorPanel error={state.error!} />;
  }

  const { services, instances: list } = state.value;
  const byService = new Map(instances.map(i => [i.service, i]));
  const rows = [
    ...services,
    ...instances
      .filter(i => !services.some(s => s.name === i.service))
      .map(unlisted),
  ];
  const instance = open && byService.get(open.service.name);
  const close = () => setOpen(undefined);
  const done = () => {
    setOpen(undefined);
    state.retry();
  };

  return (
    <>
      {list.message && (
        <Box mb={2}>
          <Alert severity="info" data-testid="cluster-services-message">
            {list.message}
          </Alert>
        </Box>
      )}
      {list.problems.map(p => (
        <Box mb={2} key={p.cluster}>
          <Alert severity="warning" data-testid="cluster-services-problem">
            Cluster {p.cluster} could not be read: {p.message}
          </Alert>
        </Box>
      ))}
      {rows.length === 0 ? (
        <Alert severity="info" data-testid="cluster-services-none-offered">
          No integrated services are offered: the catalog has no
          IntegratedService definitions.
        </Alert>
      ) : (
        <Table size="small" data-testid="cluster-services">
          <TableHead>
            <TableRow>
              <TableCell>Service</TableCell>
              <TableCell>Category</TableCell>
              <TableCell>Phase</TableCell>
              <TableCell>Version</TableCell>
              <TableCell>Drift</TableCell>
              <TableCell>Managed by</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(service => (
              <ServiceRow
                key={service.name}
                cluster={cluster}
                service={service}
                instance={byService.get(service.name)}
                onAction={action => setOpen({ action, service })}
              />
            ))}
          </TableBody>
        </Table>
      )}
      {open &&
        (open.action === 'activate' ||
          ((open.action === 'update' || open.action === 'adopt') &&
            instance)) && (
          <ActivateDialog
            cluster={cluster}
            service={open.service}
            instance={instance}
            adopt={open.action === 'adopt'}
            onClose={close}
            onDone={done}
          />
        )}
      {open?.action === 'upgrade' && instance && (
        <UpgradeDialog instance={instance} onClose={close} onDone={done} />
      )}
      {open?.action === 'deactivate' && instance && (
        <DeactivateDialog instance={instance} onClose={close} onDone={done} />
      )}
    </>
  );
}
