import {
  Content,
  ContentHeader,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  Cluster,
  DISTRIBUTIONS,
  ListClustersRequest,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { useEffect, useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { pipelineClustersApiRef } from '../../api';
import { clusterRouteRef, credentialsRouteRef } from '../../routes';
import { useClustersSettings } from '../settings';
import { ALL_PHASES, ClusterPhaseStatus, isTransitional } from '../status';
import { errorMessage, formatTime, useOwnerGroups } from '../util';
import { ImportClusterDialog } from './ImportClusterDialog';
import { NewClusterDialog } from './NewClusterDialog';

const PAGE_SIZE = 20;
const POLL_MS = 5000;

function FilterSelect(props: {
  label: string;
  testId: string;
  value: string;
  options: readonly string[];
  onChange: (value: string) => void;
}) {
  return (
    <TextField
      select
      label={props.label}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      SelectProps={{ native: true }}
      inputProps={{ 'data-testid': props.testId }}
      InputLabelProps={{ shrink: true }}
      style={{ minWidth: 160 }}
    >
      <option value="">All</option>
      {props.options.map(option => (
        <option key={option} value={option}>
          {option}
        </option>
      ))}
    </TextField>
  );
}

function ClusterLink(props: { name: string }) {
  const clusterLink = useRouteRef(clusterRouteRef);
  return clusterLink ? (
    <Link to={clusterLink({ name: props.name })}>{props.name}</Link>
  ) : (
    <>{props.name}</>
  );
}

export function ClustersPage() {
  const api = useApi(pipelineClustersApiRef);
  const credentialsLink = useRouteRef(credentialsRouteRef);
  const groups = useOwnerGroups();
  const settings = useClustersSettings();
  // Without a management cluster the portal imports clusters only.
  const unavailable =
    settings.value && !settings.value.provisioning.available
      ? settings.value.provisioning.message ??
        'Provisioning is not available: clusters can only be imported.'
      : undefined;

  const [owner, setOwner] = useState('');
  const [distribution, setDistribution] = useState('');
  const [phase, setPhase] = useState('');
  const [searchInput, setSearchInput] = useState('');
  const [search, setSearch] = useState('');
  // Cursors of the pages before the current one, to go back.
  const [cursors, setCursors] = useState<Array<string | undefined>>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [dialog, setDialog] = useState<'new' | 'import' | undefined>();

  // A new filter starts again from the first page.
  const filter = (set: (value: string) => void) => (value: string) => {
    set(value);
    setCursor(undefined);
    setCursors([]);
  };

  // The search box queries the server once typing pauses.
  useEffect(() => {
    const value = searchInput.trim();
    if (value === search) {
      return undefined;
    }
    const timer = setTimeout(() => {
      setSearch(value);
      setCursor(undefined);
      setCursors([]);
    }, 300);
    return () => clearTimeout(timer);
  }, [searchInput, search]);

  const query = useMemo(() => {
    const request: ListClustersRequest = { limit: PAGE_SIZE };
    if (owner) request.owner = owner;
    if (distribution) request.distribution = distribution;
    if (phase) request.phase = phase;
    if (search) request.search = search;
    if (cursor) request.cursor = cursor;
    return request;
  }, [owner, distribution, phase, search, cursor]);

  const list = useAsyncRetry(() => api.listClusters(query), [api, query]);
  const polling = !!list.value?.items.some(c => isTransitional(c.status.phase));
  useInterval(list.retry, polling ? POLL_MS : null);

  const ownerOptions = useMemo(() => {
    const refs = new Set(groups.value ?? []);
    list.value?.items.forEach(c => refs.add(c.owner));
    if (owner) refs.add(owner);
    return [...refs].sort();
  }, [groups.value, list.value, owner]);

  const columns: TableColumn<Cluster>[] = [
    {
      title: 'Name',
      field: 'name',
      render: c => <ClusterLink name={c.name} />,
    },
    {
      title: 'Status',
      field: 'status.phase',
      render: c => <ClusterPhaseStatus status={c.status} />,
    },
    { title: 'Distribution', field: 'distribution' },
    {
      title: 'Kubernetes',
      render: c => c.status.kubernetesVersion ?? c.spec?.kubernetesVersion,
    },
    {
      title: 'Owner',
      field: 'owner',
      render: c => <EntityRefLink entityRef={c.owner} defaultKind="group" />,
    },
    { title: 'Nodes', render: c => c.status.nodeCount ?? '' },
    { title: 'Created', render: c => formatTime(c.createdAt) },
  ];

  const refreshAfterChange = () => {
    setDialog(undefined);
    list.retry();
  };

  return (
    <Content>
      <ContentHeader title="Clusters">
        {credentialsLink && (
          <Button
            component={Link}
            to={credentialsLink()}
            data-testid="credentials-link"
          >
            Credentials
          </Button>
        )}
        <Button
          variant="outlined"
          color="primary"
          onClick={() => setDialog('import')}
          data-testid="import-cluster-button"
          style={{ marginLeft: 8 }}
        >
          Import cluster
        </Button>
        <Tooltip title={unavailable ?? ''}>
          {/* A span: a disabled button fires no events for the tooltip. */}
          <span data-testid="new-cluster-button-wrapper">
            <Button
              variant="contained"
              color="primary"
              disabled={!!unavailable}
              onClick={() => setDialog('new')}
              data-testid="new-cluster-button"
              style={{ marginLeft: 8 }}
            >
              New cluster
            </Button>
          </span>
        </Tooltip>
      </ContentHeader>

      {unavailable && (
        <Box mb={2}>
          <Alert severity="info" data-testid="provisioning-unavailable">
            {unavailable}
          </Alert>
        </Box>
      )}
      {settings.error && (
        <Box mb={2}>
          <Alert severity="warning" data-testid="settings-error">
            Could not load what the portal offers:{' '}
            {errorMessage(settings.error)}
          </Alert>
        </Box>
      )}

      <Box display="flex" flexWrap="wrap" mb={2} style={{ gap: 16 }}>
        <FilterSelect
          label="Owner"
          testId="filter-owner"
          value={owner}
          options={ownerOptions}
          onChange={filter(setOwner)}
        />
        <FilterSelect
          label="Distribution"
          testId="filter-distribution"
          value={distribution}
          options={DISTRIBUTIONS}
          onChange={filter(setDistribution)}
        />
        <FilterSelect
          label="Phase"
          testId="filter-phase"
          value={phase}
          options={ALL_PHASES}
          onChange={filter(setPhase)}
        />
        <TextField
          label="Search"
          value={searchInput}
          onChange={e => setSearchInput(e.target.value)}
          inputProps={{ 'data-testid': 'filter-search' }}
          InputLabelProps={{ shrink: true }}
        />
      </Box>

      {list.error && <ResponseErrorPanel error={list.error} />}
      {!list.value && list.loading && <Progress />}
      {list.value && (
        <>
          <Table<Cluster>
            title={`Clusters (${list.value.totalCount})`}
            options={{ search: false, paging: false, padding: 'dense' }}
            columns={columns}
            data={list.value.items}
            emptyContent={
              <Box p={2}>
                <Typography data-testid="clusters-empty">
                  No clusters match.
                </Typography>
              </Box>
            }
          />
          <Box display="flex" justifyContent="flex-end" mt={1}>
            <Button
              disabled={cursors.length === 0}
              data-testid="clusters-previous-page"
              onClick={() => {
                setCursor(cursors[cursors.length - 1]);
                setCursors(cursors.slice(0, -1));
              }}
            >
              Previous
            </Button>
            <Button
              disabled={!list.value.nextCursor}
              data-testid="clusters-next-page"
              onClick={() => {
                setCursors([...cursors, cursor]);
                setCursor(list.value?.nextCursor);
              }}
            >
              Next
            </Button>
          </Box>
        </>
      )}

      <NewClusterDialog
        open={dialog === 'new' && !unavailable}
        groups={groups.value ?? []}
        offeredVersions={settings.value?.offeredVersions}
        onClose={() => setDialog(undefined)}
        onCreated={refreshAfterChange}
      />
      <ImportClusterDialog
        open={dialog === 'import'}
        groups={groups.value ?? []}
        onClose={() => setDialog(undefined)}
        onImported={refreshAfterChange}
      />
    </Content>
  );
}
