import {
  InfoCard,
  Link,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import type { PipelineRunSummary } from '@pipeline-portal/plugin-spotguides-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { spotguidesApiRef } from '../api';
import { BindingNotice } from './BindingNotice';
import { formatTime, RunStatus, shortSha } from './DecisionStatus';

const POLL_MS = 5000;

const columns: TableColumn<PipelineRunSummary>[] = [
  {
    title: 'Run',
    field: 'name',
    render: r => (r.link ? <Link to={r.link}>{r.name}</Link> : r.name),
  },
  { title: 'Pipeline', field: 'pipeline' },
  {
    title: 'Status',
    field: 'status',
    render: r => (
      <span data-testid={`run-status-${r.name}`}>
        <RunStatus status={r.status} />
      </span>
    ),
  },
  {
    title: 'Commit',
    field: 'sha',
    render: r => <code>{shortSha(r.sha)}</code>,
  },
  {
    title: 'Started',
    field: 'startedAt',
    render: r => formatTime(r.startedAt),
  },
];

/** The component's PipelineRuns, newest first, refreshed while shown. */
export function EntityPipelineRunsCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(spotguidesApiRef);
  const state = useAsyncRetry(
    () => api.listRuns({ entityRef }),
    [api, entityRef],
  );
  useInterval(state.retry, POLL_MS);
  const runs = state.value?.items ?? [];

  return (
    <InfoCard title="Pipeline runs" noPadding>
      {state.error && <ResponseErrorPanel error={state.error} />}
      <BindingNotice />
      <div data-testid="pipeline-runs">
        <Table<PipelineRunSummary>
          options={{
            paging: false,
            search: false,
            toolbar: false,
            padding: 'dense',
          }}
          isLoading={!state.value && state.loading}
          columns={columns}
          data={runs}
          emptyContent={
            <Box p={2} data-testid="pipeline-runs-empty">
              <Typography>
                No pipeline has run yet: a push to the repository starts one.
              </Typography>
            </Box>
          }
        />
      </div>
    </InfoCard>
  );
}
