import {
  Content,
  ContentHeader,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  useApi,
  useRouteRef,
  useRouteRefParams,
} from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  clusterUpdatePermission,
  NodePool,
  UpdateClusterRequest,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { pipelineClustersApiRef } from '../../api';
import { clusterRouteRef, rootRouteRef } from '../../routes';
import { useClustersSettings } from '../settings';
import { ClusterPhaseStatus, isTransitional } from '../status';
import { errorMessage, formatTime, statusCodeOf } from '../util';
import { DeleteClusterDialog } from './DeleteClusterDialog';
import { HistoryTimeline } from './HistoryTimeline';
import { KubeconfigButton } from './KubeconfigButton';
import { Facts } from './Facts';
import { NodePools } from './NodePools';
import { UpgradeControl } from './UpgradeControl';

const POLL_MS = 3000;
const WAIT_FOR_OPERATION =
  'Changes are possible once the current operation ends.';

type Notice = { severity: 'warning' | 'error' | 'success'; text: string };

export function ClusterPage() {
  const { name } = useRouteRefParams(clusterRouteRef);
  const api = useApi(pipelineClustersApiRef);
  const clustersLink = useRouteRef(rootRouteRef);
  const [notice, setNotice] = useState<Notice>();
  const [deleting, setDeleting] = useState(false);
  const settings = useClustersSettings();
  // Hidden until allowed: the API refuses changes without it anyway.
  const { allowed: editable } = usePermission({
    permission: clusterUpdatePermission,
    resourceRef: name,
  });

  const state = useAsyncRetry(async () => {
    const [cluster, history] = await Promise.all([
      api.getCluster(name),
      api.getClusterHistory(name),
    ]);
    return { cluster, history };
  }, [api, name]);
  const cluster = state.value?.cluster;
  useInterval(
    state.retry,
    isTransitional(cluster?.status.phase) ? POLL_MS : null,
  );

  /** Sends a change with the revision shown; reloads whatever the answer. */
  const apply = async (request: Omit<UpdateClusterRequest, 'revision'>) => {
    if (!cluster) {
      return;
    }
    try {
      await api.updateCluster(name, { revision: cluster.revision, ...request });
      setNotice(undefined);
    } finally {
      state.retry();
    }
  };

  /** A change from a control on the page: its outcome in the page's notice. */
  const change = async (request: Omit<UpdateClusterRequest, 'revision'>) => {
    try {
      await apply(request);
    } catch (e) {
      if (statusCodeOf(e) === 409) {
        setNotice({
          severity: 'warning',
          text: 'The cluster changed meanwhile, reloaded.',
        });
      } else {
        setNotice({ severity: 'error', text: errorMessage(e) });
      }
    }
  };

  const back = clustersLink && (
    <Link to={clustersLink()} data-testid="back-to-clusters">
      All clusters
    </Link>
  );

  if (!cluster) {
    return (
      <Content>
        <ContentHeader title={name}>{back}</ContentHeader>
        {state.loading && <Progress />}
        {state.error &&
          (statusCodeOf(state.error) === 404 ? (
            <Alert severity="info" data-testid="cluster-not-found">
              There is no cluster {name}; it may have been deleted.
            </Alert>
          ) : (
            <ResponseErrorPanel error={state.error} />
          ))}
      </Content>
    );
  }

  const busy = isTransitional(cluster.status.phase);
  const spec = cluster.spec;

  return (
    <Content>
      <ContentHeader title={cluster.name}>
        {back}
        <Box ml={2} display="flex" style={{ gap: 8 }}>
          <KubeconfigButton
            name={cluster.name}
            onError={text => setNotice({ severity: 'error', text })}
          />
          <Button
            variant="outlined"
            color="secondary"
            disabled={
              cluster.status.phase === 'Deleting' ||
              cluster.status.phase === 'Deleted'
            }
            onClick={() => setDeleting(true)}
            data-testid="delete-cluster-button"
          >
            Delete
          </Button>
        </Box>
      </ContentHeader>

      {notice && (
        <Box mb={2}>
          <Alert
            severity={notice.severity}
            onClose={() => setNotice(undefined)}
            data-testid="cluster-notice"
          >
            {notice.text}
          </Alert>
        </Box>
      )}

      <Grid container spacing={3}>
        <Grid item xs={12} md={6}>
          <InfoCard title="Spec">
            <Facts
              rows={[
                ['Distribution', cluster.distribution],
                ['Region', spec?.region],
                [
                  'Kubernetes version',
                  spec?.kubernetesVersion ?? cluster.status.kubernetesVersion,
                ],
                [
                  'Owner',
                  <EntityRefLink
                    entityRef={cluster.owner}
                    defaultKind="group"
                  />,
                ],
                ['Credential', spec?.credential],
                ['Created', formatTime(cluster.createdAt)],
              ]}
            />
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={6}>
          <InfoCard title="Status">
            <Facts
              rows={[
                ['Phase', <ClusterPhaseStatus status={cluster.status} />],
                [
                  'Message',
                  cluster.status.message && (
                    <span data-testid="cluster-status-message">
                      {cluster.status.message}
                    </span>
                  ),
                ],
                ['Running version', cluster.status.kubernetesVersion],
                [
                  'Nodes',
                  cluster.status.nodeCount !== undefined && (
                    <span data-testid="cluster-node-count">
                      {cluster.status.nodeCount}
                    </span>
                  ),
                ],
                ['API server', cluster.status.apiServer],
                ['Updated', formatTime(cluster.updatedAt)],
              ]}
            />
          </InfoCard>
        </Grid>
        <Grid item xs={12}>
          <InfoCard title="Node pools">
            {spec ? (
              <>
                {busy && (
                  <Box mb={2} data-testid="cluster-operation">
                    <LinearProgress />
                    <Typography variant="caption">
                      {cluster.status.phase}
                      {cluster.status.message
                        ? `: ${cluster.status.message}`
                        : ''}
                      . {WAIT_FOR_OPERATION}
                    </Typography>
                  </Box>
                )}
                <NodePools
                  clusterName={cluster.name}
                  pools={spec.nodePools}
                  revision={cluster.revision}
                  editable={editable}
                  blocked={busy ? WAIT_FOR_OPERATION : undefined}
                  onScale={(nodePools: NodePool[]) => change({ nodePools })}
                  onChange={(nodePools: NodePool[]) => apply({ nodePools })}
                />
              </>
            ) : (
              <Typography variant="body2">
                Imported cluster: its nodes are managed outside the portal.
              </Typography>
            )}
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={6}>
          <InfoCard title="Kubernetes upgrade">
            <UpgradeControl
              key={cluster.revision}
              cluster={cluster}
              editable={editable}
              disabled={busy}
              settings={settings}
              onUpgrade={kubernetesVersion => change({ kubernetesVersion })}
            />
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={6}>
          <InfoCard title="History">
            <HistoryTimeline entries={state.value?.history ?? []} />
          </InfoCard>
        </Grid>
      </Grid>

      <DeleteClusterDialog
        name={cluster.name}
        open={deleting}
        onClose={() => setDeleting(false)}
        onConfirm={async () => {
          try {
            await api.deleteCluster(cluster.name);
            setNotice(undefined);
          } catch (e) {
            setNotice({ severity: 'error', text: errorMessage(e) });
          }
          setDeleting(false);
          state.retry();
        }}
      />
    </Content>
  );
}
