import {
  Content,
  ContentHeader,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import type { ListInstancesRequest } from '@pipeline-portal/plugin-integrated-services-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { integratedServicesApiRef } from '../../api';
import { clusterServicesRouteRef } from '../../routes';
import { VersionText } from '../ClusterServices/ServiceRow';
import { DriftStatus, PhaseStatus } from '../PhaseStatus';
import { isTransitional } from '../util';
import { FleetFilters } from './FleetFilters';

const POLL_MS = 5000;

/** `/integrated-services`: every instance across the clusters one may see. */
export function FleetPage() {
  const api = useApi(integratedServicesApiRef);
  const clusterLink = useRouteRef(clusterServicesRouteRef);
  const [filter, setFilter] = useState<ListInstancesRequest>({});
  const services = useAsync(() => api.listServices(), [api]);
  const state = useAsyncRetry(
    () => api.listInstances(filter),
    [api, filter.service, filter.version, filter.phase, filter.drift],
  );
  const list = state.value;
  useInterval(
    state.retry,
    list?.items.some(i => isTransitional(i.status.phase)) ? POLL_MS : null,
  );
  const filtered = Object.values(filter).some(v => v !== undefined);

  let body;
  if (!list) {
    body = state.error ? (
      <ResponseErrorPanel error={state.error} />
    ) : (
      <Progress />
    );
  } else if (list.clusters === 0) {
    body = (
      <Alert severity="info" data-testid="fleet-no-clusters">
        {list.message ??
          'No cluster is configured: create or import a cluster first, then activate services on it.'}
      </Alert>
    );
  } else {
    body = (
      <>
        {list.problems.map(p => (
          <Box mb={2} key={p.cluster}>
            <Alert severity="warning" data-testid="fleet-problem">
              Cluster {p.cluster} could not be read: {p.message}
            </Alert>
          </Box>
        ))}
        <Typography variant="body2" data-testid="fleet-count">
          {list.items.length}{' '}
          {list.items.length === 1 ? 'instance' : 'instances'} on{' '}
          {list.clusters} {list.clusters === 1 ? 'cluster' : 'clusters'}
        </Typography>
        {list.items.length === 0 ? (
          <Typography variant="body2" data-testid="fleet-empty">
            {filtered
              ? 'No instance matches these filters.'
              : 'No service is active on any cluster yet.'}
          </Typography>
        ) : (
          <Table size="small" data-testid="fleet-table">
            <TableHead>
              <TableRow>
                <TableCell>Cluster</TableCell>
                <TableCell>Service</TableCell>
                <TableCell>Phase</TableCell>
                <TableCell>Version</TableCell>
                <TableCell>Drift</TableCell>
                <TableCell>Managed by</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {list.items.map(i => (
                <TableRow
                  key={`${i.cluster}/${i.service}`}
                  data-testid={`fleet-row-${i.cluster}-${i.service}`}
                >
                  <TableCell>
                    {clusterLink ? (
                      <Link to={clusterLink({ cluster: i.cluster })}>
                        {i.cluster}
                      </Link>
                    ) : (
                      i.cluster
                    )}
                  </TableCell>
                  <TableCell>{i.service}</TableCell>
                  <TableCell>
                    <PhaseStatus status={i.status} />
                  </TableCell>
                  <TableCell>
                    <VersionText instance={i} />
                  </TableCell>
                  <TableCell>
                    <DriftStatus drift={i.status.drift} />
                  </TableCell>
                  <TableCell>
                    {i.managedBy === 'external' ? 'Externally' : 'Portal'}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </>
    );
  }

  return (
    <Content>
      <ContentHeader title="Integrated services" />
      {list?.clusters !== 0 && (
        <FleetFilters
          services={services.value?.items ?? []}
          value={filter}
          onChange={setFilter}
        />
      )}
      {body}
    </Content>
  );
}
