import {
  InfoCard,
  ResponseErrorPanel,
  StatusAborted,
  StatusOK,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import type {
  ExplainEvent,
  PipelineExplanation,
} from '@pipeline-portal/plugin-spotguides-common';
import { FormEvent, useEffect, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { spotguidesApiRef } from '../api';

const EVENTS: ExplainEvent[] = ['push', 'pull_request', 'deployment'];

const columns: TableColumn<PipelineExplanation>[] = [
  {
    title: 'Pipeline',
    field: 'file',
    render: p => <code>{p.file}</code>,
  },
  {
    title: 'Would run',
    field: 'wouldRun',
    render: p => (
      <span data-testid={`explain-would-run-${p.file}`}>
        {p.wouldRun ? (
          <StatusOK>yes</StatusOK>
        ) : (
          <StatusAborted>no</StatusAborted>
        )}
      </span>
    ),
  },
  {
    title: 'Rule that decided',
    field: 'rule',
    render: p => <span data-testid={`explain-rule-${p.file}`}>{p.rule}</span>,
  },
];

/**
 * Why a pipeline did (not) start: for a repository, commit and event, each
 * pipeline file of the commit's `.tekton/` with the rule that decided.
 */
export function ExplainPanel(props: { initialRepository?: string }) {
  const api = useApi(spotguidesApiRef);
  const [repository, setRepository] = useState(props.initialRepository ?? '');
  const [sha, setSha] = useState('');
  const [event, setEvent] = useState<ExplainEvent>('push');
  const [ref, setRef] = useState('refs/heads/main');
  useEffect(() => {
    if (props.initialRepository) setRepository(props.initialRepository);
  }, [props.initialRepository]);

  const [state, explain] = useAsyncFn(
    () =>
      api.explain({
        repository: repository.trim(),
        sha: sha.trim(),
        event,
        ref: ref.trim() || undefined,
      }),
    [api, repository, sha, event, ref],
  );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    explain();
  };
  const ready = repository.trim() !== '' && sha.trim() !== '';

  return (
    <InfoCard title="Explain: would this event run a pipeline?">
      <form onSubmit={onSubmit} data-testid="explain-form">
        <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mb={2}>
          <TextField
            label="Repository"
            placeholder="owner/name"
            value={repository}
            onChange={e => setRepository(e.target.value)}
            inputProps={{ 'data-testid': 'explain-repository' }}
            InputLabelProps={{ shrink: true }}
          />
          <TextField
            label="Commit"
            placeholder="sha"
            value={sha}
            onChange={e => setSha(e.target.value)}
            inputProps={{ 'data-testid': 'explain-sha' }}
            InputLabelProps={{ shrink: true }}
          />
          <TextField
            select
            label="Event"
            value={event}
            onChange={e => setEvent(e.target.value as ExplainEvent)}
            SelectProps={{ native: true }}
            inputProps={{ 'data-testid': 'explain-event' }}
            InputLabelProps={{ shrink: true }}
          >
            {EVENTS.map(e => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </TextField>
          <TextField
            label="Ref"
            placeholder="refs/heads/main"
            value={ref}
            onChange={e => setRef(e.target.value)}
            inputProps={{ 'data-testid': 'explain-ref' }}
            InputLabelProps={{ shrink: true }}
          />
          <Button
            type="submit"
            variant="contained"
            color="primary"
            disabled={!ready || state.loading}
            data-testid="explain-button"
          >
            Explain
          </Button>
        </Box>
      </form>
      {state.error && <ResponseErrorPanel error={state.error} />}
      {state.value && (
        <div data-testid="explain-result">
          <Table<PipelineExplanation>
            options={{
              paging: false,
              search: false,
              toolbar: false,
              padding: 'dense',
            }}
            columns={columns}
            data={state.value.pipelines}
            emptyContent={
              <Box p={2}>
                <Typography>
                  The commit has no pipeline in <code>.tekton/</code>.
                </Typography>
              </Box>
            }
          />
        </div>
      )}
    </InfoCard>
  );
}
