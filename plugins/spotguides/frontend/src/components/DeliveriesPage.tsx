import {
  Content,
  ContentHeader,
  Link,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import type { Delivery } from '@pipeline-portal/plugin-spotguides-common';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useDebounce from 'react-use/esm/useDebounce';
import useInterval from 'react-use/esm/useInterval';
import { spotguidesApiRef } from '../api';
import { DecisionStatus, formatTime, shortSha } from './DecisionStatus';
import { ExplainPanel } from './ExplainPanel';

const POLL_MS = 5000;
const LIMIT = 100;

const columns: TableColumn<Delivery>[] = [
  {
    title: 'Received',
    field: 'receivedAt',
    render: d => formatTime(d.receivedAt),
  },
  { title: 'Event', field: 'event' },
  { title: 'Repository', field: 'repository' },
  { title: 'Ref', field: 'ref', render: d => d.ref ?? '' },
  {
    title: 'Commit',
    field: 'sha',
    render: d => <code>{shortSha(d.sha)}</code>,
  },
  {
    title: 'Decision',
    field: 'decision',
    render: d => (
      <span data-testid={`delivery-decision-${d.id}`}>
        <DecisionStatus decision={d.decision} />
      </span>
    ),
  },
  {
    title: 'Why',
    field: 'reason',
    render: d => (
      <span data-testid={`delivery-reason-${d.id}`}>{d.reason ?? ''}</span>
    ),
  },
  {
    title: 'Runs',
    field: 'runs',
    render: d => (
      <>
        {(d.runs ?? []).map(run => (
          <Box key={run.name}>
            {run.link ? <Link to={run.link}>{run.name}</Link> : run.name}
          </Box>
        ))}
      </>
    ),
  },
];

/**
 * Recent GitHub deliveries with what the trigger engine decided (ran,
 * duplicate, refused, no match, ...) and why, then the explain panel.
 */
export function DeliveriesPage() {
  const api = useApi(spotguidesApiRef);
  const [filter, setFilter] = useState('');
  const [repository, setRepository] = useState('');
  useDebounce(() => setRepository(filter.trim()), 400, [filter]);
  const state = useAsyncRetry(
    () =>
      api.listDeliveries({
        repository: repository || undefined,
        limit: LIMIT,
      }),
    [api, repository],
  );
  useInterval(state.retry, POLL_MS);
  const deliveries = state.value?.items ?? [];

  return (
    <Content>
      <ContentHeader title="Deliveries">
        <TextField
          label="Repository"
          placeholder="owner/name"
          value={filter}
          onChange={e => setFilter(e.target.value)}
          inputProps={{ 'data-testid': 'deliveries-repository' }}
          InputLabelProps={{ shrink: true }}
        />
      </ContentHeader>
      <Typography variant="body2" paragraph>
        Every GitHub event the portal received, newest first: whether it started
        pipelines, was a duplicate, was refused, or matched no pipeline, and
        why.
      </Typography>
      {state.error && <ResponseErrorPanel error={state.error} />}
      <div data-testid="deliveries-table">
        <Table<Delivery>
          options={{ paging: false, search: false, padding: 'dense' }}
          isLoading={!state.value && state.loading}
          columns={columns}
          data={deliveries}
          emptyContent={
            <Box p={2} data-testid="deliveries-empty">
              <Typography>
                {repository
                  ? `No deliveries from ${repository} yet.`
                  : 'No deliveries yet: GitHub has not sent the portal any event.'}
              </Typography>
            </Box>
          }
        />
      </div>
      <Box mt={3}>
        <ExplainPanel initialRepository={repository} />
      </Box>
    </Content>
  );
}
