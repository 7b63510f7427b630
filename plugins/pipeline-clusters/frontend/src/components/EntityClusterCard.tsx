import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { pipelineClustersApiRef } from '../api';
import { clusterRouteRef } from '../routes';
import { ClusterPhaseStatus, isTransitional } from './status';

/** The annotation the catalog provider puts on a cluster's Resource entity. */
export const CLUSTER_ANNOTATION = 'pipeline-portal.io/cluster';

/** The cluster behind a `kubernetes-cluster` Resource: phase and a link. */
export function EntityClusterCard() {
  const { entity } = useEntity();
  const name = entity.metadata.annotations?.[CLUSTER_ANNOTATION] ?? '';
  const api = useApi(pipelineClustersApiRef);
  const clusterLink = useRouteRef(clusterRouteRef);
  const state = useAsyncRetry(() => api.getCluster(name), [api, name]);
  useInterval(
    state.retry,
    isTransitional(state.value?.status.phase) ? 5000 : null,
  );

  return (
    <InfoCard
      title="Cluster"
      deepLink={
        clusterLink
          ? { title: 'Open cluster page', link: clusterLink({ name }) }
          : undefined
      }
    >
      {!state.value && state.loading && <Progress />}
      {state.error && <ResponseErrorPanel error={state.error} />}
      {state.value && (
        <>
          <Typography variant="subtitle1">
            {clusterLink ? (
              <Link
                to={clusterLink({ name })}
                data-testid="entity-cluster-link"
              >
                {name}
              </Link>
            ) : (
              name
            )}
          </Typography>
          <ClusterPhaseStatus
            status={state.value.status}
            testId="entity-cluster-status"
          />
          {state.value.status.message && (
            <Typography variant="body2">
              {state.value.status.message}
            </Typography>
          )}
        </>
      )}
    </InfoCard>
  );
}
