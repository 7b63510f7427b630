import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { spotguidesApiRef } from '../api';

const SLUG_ANNOTATION = 'github.com/project-slug';

const statusOf = (error: unknown) =>
  (error as { response?: { status?: number } } | undefined)?.response?.status;

/**
 * Whether the component's repository runs this component's pipelines: a
 * repository runs nothing until a member of the owner binds it (the
 * spotguide does at creation). An owner binds it here; the server decides
 * who may, this button only offers it.
 */
export function BindingNotice() {
  const { entity } = useEntity();
  const api = useApi(spotguidesApiRef);
  const repository = entity.metadata.annotations?.[SLUG_ANNOTATION];
  const entityRef = stringifyEntityRef(entity).toLowerCase();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const state = useAsyncRetry(async () => {
    if (!repository) return undefined;
    try {
      return await api.getBinding(repository);
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }, [api, repository]);
  if (!repository || state.loading || state.error) return null;

  const binding = state.value;
  const bind = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      await api.bindRepository(repository, { entityRef });
      state.retry();
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const here = binding?.entityRef === entityRef;
  return (
    <Box px={2} py={1} data-testid="repository-binding">
      <Typography variant="body2">
        {here &&
          `${repository} runs this component's pipelines (bound for ${
            binding!.owner
          } by ${binding!.boundBy}).`}
        {binding &&
          !here &&
          `${repository} is bound to ${binding.entityRef}: its events run that component's pipelines, not this one's.`}
        {!binding &&
          `${repository} is not bound to a component: its events run nothing until an owner binds it.`}
      </Typography>
      {!here && (
        <Button
          size="small"
          color="primary"
          variant="outlined"
          disabled={busy}
          onClick={bind}
        >
          Bind to this component
        </Button>
      )}
      {problem && (
        <Typography variant="body2" color="error" role="alert">
          {problem}
        </Typography>
      )}
    </Box>
  );
}
