import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import type { ServiceInstanceView } from '@pipeline-portal/plugin-integrated-services-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { integratedServicesApiRef } from '../../api';
import { FormAlert, FormDialog } from '@pipeline-portal/frontend-kit';
import { PathText, PlanSteps } from '../plan/PlanSteps';
import { compareVersions, errorMessage } from '../util';
import { VersionGraph } from './VersionGraph';

/**
 * Move an instance to another version: the version graph with the planned
 * path highlighted, the target's steps, then the write of the new version
 * (spec and overrides kept) for the reconciler to walk.
 */
export function UpgradeDialog(props: {
  instance: ServiceInstanceView;
  onClose: () => void;
  onDone: () => void;
}) {
  const { instance } = props;
  const { cluster, service } = instance;
  const installed = instance.status.installedVersion ?? '';
  const api = useApi(integratedServicesApiRef);
  const state = useAsync(async () => {
    const [definition, plan] = await Promise.all([
      api.getService(service),
      api.getPlan(service, installed),
    ]);
    return { definition, plan };
  }, [api, service, installed]);
  const [chosen, setChosen] = useState<string>();
  const [alert, setAlert] = useState<FormAlert>();
  const [submitting, setSubmitting] = useState(false);

  const targets = [...(state.value?.plan.targets ?? [])]
    .filter(t => t.version !== installed)
    .sort((a, b) => compareVersions(b.version, a.version));
  // The newest upgrade by default, else the newest target there is.
  const fallback =
    targets.find(t => t.direction === 'upgrade')?.version ??
    targets[0]?.version;
  const version = chosen ?? fallback;
  const target = targets.find(t => t.version === version);
  const reachable = new Set(targets.map(t => t.version));

  const onSubmit = async () => {
    if (!target) return;
    setSubmitting(true);
    setAlert(undefined);
    try {
      await api.putInstance(cluster, service, {
        version: target.version,
        spec: instance.desired.spec,
        overrides: instance.desired.overrides,
        enabled: true,
      });
      props.onDone();
    } catch (e) {
      setAlert({ severity: 'error', text: errorMessage(e) });
    } finally {
      setSubmitting(false);
    }
  };

  const verb = target?.direction === 'downgrade' ? 'Downgrade' : 'Upgrade';
  let blocked: string | undefined;
  if (!installed) blocked = 'Nothing is installed yet: wait for the install.';
  else if (state.value && !targets.length)
    blocked = `No version is reachable from ${installed}.`;

  return (
    <FormDialog
      open
      title={`Change the version of ${service} on ${cluster}`}
      testId="upgrade-dialog"
      maxWidth="md"
      submitLabel={target ? `${verb} to ${target.version}` : 'Upgrade'}
      form={{ submitting, alert }}
      blocked={state.value || !installed ? blocked : undefined}
      onClose={props.onClose}
      onSubmit={onSubmit}
    >
      {state.loading && <Progress />}
      {state.error && <ResponseErrorPanel error={state.error} />}
      {state.value && (
        <>
          <VersionGraph
            spec={state.value.definition.spec}
            installed={installed}
            path={target?.path ?? [installed]}
            reachable={reachable}
            onSelect={setChosen}
          />
          {targets.length > 0 && (
            <Box mt={2}>
              <TextField
                select
                label="Target version"
                value={version ?? ''}
                onChange={e => setChosen(e.target.value)}
                SelectProps={{ native: true }}
                inputProps={{ 'data-testid': 'target-select' }}
                fullWidth
              >
                {targets.map(t => (
                  <option key={t.version} value={t.version}>
                    {t.version} ({t.direction}, {t.path.length - 1}{' '}
                    {t.path.length === 2 ? 'step' : 'steps'})
                  </option>
                ))}
              </TextField>
            </Box>
          )}
          {target && (
            <Box mt={2}>
              <Typography variant="body2">
                Path: <PathText path={target.path} testId="upgrade-path" />
              </Typography>
              <PlanSteps steps={target.steps} testId="upgrade-steps" />
            </Box>
          )}
          {state.value.plan.unreachable.length > 0 && (
            <Box mt={2} data-testid="upgrade-unreachable">
              <Typography variant="subtitle2">Not reachable</Typography>
              {state.value.plan.unreachable.map(u => (
                <Typography variant="body2" key={u.version}>
                  {u.version}: {u.reason}
                </Typography>
              ))}
            </Box>
          )}
        </>
      )}
    </FormDialog>
  );
}
