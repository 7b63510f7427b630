import { Progress } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { Cluster } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { useState } from 'react';
import { useClustersSettings } from '../settings';
import { compareMinor, errorMessage } from '../util';

/** Offered versions above the current one: upgrades go one way. */
function upgradeTargets(
  cluster: Cluster,
  offeredVersions: Record<string, string[]>,
): string[] {
  const current =
    cluster.spec?.kubernetesVersion ?? cluster.status.kubernetesVersion;
  if (!cluster.spec || !current) {
    return [];
  }
  const offered = offeredVersions[cluster.distribution] ?? [];
  return offered.filter(v => compareMinor(v, current) > 0).sort(compareMinor);
}

/** The version to upgrade to, among those offered, and the button. */
export function UpgradeControl(props: {
  cluster: Cluster;
  /** May change the cluster (`cluster.update`). */
  editable: boolean;
  disabled: boolean;
  settings: ReturnType<typeof useClustersSettings>;
  onUpgrade: (version: string) => Promise<void>;
}) {
  const { settings } = props;
  const [version, setVersion] = useState('');
  const [busy, setBusy] = useState(false);
  if (props.cluster.spec && !props.editable) {
    return (
      <Typography variant="body2" data-testid="upgrade-not-allowed">
        Only those who may update this cluster (its owners) can upgrade it.
      </Typography>
    );
  }
  if (props.cluster.spec && !settings.value) {
    return settings.error ? (
      <Alert severity="warning" data-testid="upgrade-settings-error">
        Could not load the offered versions: {errorMessage(settings.error)}
      </Alert>
    ) : (
      <Progress />
    );
  }
  const targets = upgradeTargets(
    props.cluster,
    settings.value?.offeredVersions ?? {},
  );
  if (!targets.length) {
    return (
      <Typography variant="body2" data-testid="upgrade-none">
        {props.cluster.spec
          ? 'The cluster runs the newest offered version.'
          : 'Imported clusters are upgraded outside the portal.'}
      </Typography>
    );
  }
  const selected = version || targets[0];
  return (
    <Box display="flex" alignItems="center" style={{ gap: 16 }}>
      <TextField
        select
        label="Upgrade to"
        value={selected}
        disabled={props.disabled}
        onChange={e => setVersion(e.target.value)}
        SelectProps={{ native: true }}
        inputProps={{ 'data-testid': 'upgrade-version-select' }}
      >
        {targets.map(v => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </TextField>
      <Button
        variant="outlined"
        color="primary"
        disabled={props.disabled || busy}
        data-testid="upgrade-button"
        onClick={async () => {
          setBusy(true);
          try {
            await props.onUpgrade(selected);
          } finally {
            setBusy(false);
          }
        }}
      >
        Upgrade
      </Button>
    </Box>
  );
}
