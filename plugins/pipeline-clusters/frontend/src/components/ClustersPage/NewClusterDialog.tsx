import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import IconButton from '@material-ui/core/IconButton';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import DeleteIcon from '@material-ui/icons/Delete';
import Alert from '@material-ui/lab/Alert';
import {
  clusterSpecSchema,
  CREDENTIAL_KIND_OF,
  PROVISIONED_DISTRIBUTIONS,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { useEffect, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { pipelineClustersApiRef } from '../../api';
import { errorMessage, fieldErrors, toNumber } from '../util';

interface PoolForm {
  name: string;
  machineType: string;
  minSize: string;
  desiredSize: string;
  maxSize: string;
}

const REGION_HINT: Record<ProvisionedDistribution, string> = {
  eks: 'eu-west-1',
  aks: 'westeurope',
  gke: 'europe-west1',
  oke: 'eu-frankfurt-1',
  ack: 'eu-central-1',
  doks: 'fra1',
};

const newPool = (index: number): PoolForm => ({
  name: index ? `pool${index + 1}` : 'default',
  machineType: '',
  minSize: '1',
  desiredSize: '1',
  maxSize: '3',
});

const NO_VERSIONS: readonly string[] = [];

export function NewClusterDialog(props: {
  open: boolean;
  groups: string[];
  /** Minor versions per distribution from GET /settings; undefined while loading. */
  offeredVersions?: Record<string, string[]>;
  onClose: () => void;
  onCreated: () => void;
}) {
  const api = useApi(pipelineClustersApiRef);
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const [distribution, setDistribution] =
    useState<ProvisionedDistribution>('eks');
  const [region, setRegion] = useState('');
  const versions = props.offeredVersions?.[distribution] ?? NO_VERSIONS;
  const [version, setVersion] = useState('');
  const [credential, setCredential] = useState('');
  const [pools, setPools] = useState<PoolForm[]>([newPool(0)]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);

  // Default to the first group once the user's groups are known.
  useEffect(() => {
    if (!owner && props.groups.length) {
      setOwner(props.groups[0]);
    }
  }, [owner, props.groups]);

  const credentials = useAsync(
    async () => (owner ? api.listCredentials({ owner }) : []),
    [api, owner],
  );
  const usable = useMemo(
    () =>
      (credentials.value ?? []).filter(
        c => c.kind === CREDENTIAL_KIND_OF[distribution],
      ),
    [credentials.value, distribution],
  );

  // Default to the newest offered version, again when the offer changes.
  useEffect(() => {
    if (!versions.includes(version)) {
      setVersion(versions[versions.length - 1] ?? '');
    }
  }, [versions, version]);

  // Keep the credential a valid choice for the owner and distribution.
  useEffect(() => {
    if (!usable.some(c => c.name === credential)) {
      setCredential(usable[0]?.name ?? '');
    }
  }, [usable, credential]);

  const setPool = (index: number, field: keyof PoolForm, value: string) =>
    setPools(current =>
      current.map((pool, i) =>
        i === index ? { ...pool, [field]: value } : pool,
      ),
    );

  const submit = async () => {
    setServerError(undefined);
    const request = {
      name: name.trim(),
      owner,
      distribution,
      region: region.trim(),
      kubernetesVersion: version,
      credential,
      nodePools: pools.map(pool => ({
        name: pool.name.trim(),
        machineType: pool.machineType.trim(),
        minSize: toNumber(pool.minSize),
        desiredSize: toNumber(pool.desiredSize),
        maxSize: toNumber(pool.maxSize),
      })),
    };
    const parsed = clusterSpecSchema.safeParse(request);
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error.issues));
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      await api.createCluster(
        parsed.data as Parameters<typeof api.createCluster>[0],
      );
      setName('');
      setPools([newPool(0)]);
      props.onCreated();
    } catch (e) {
      setServerError(errorMessage(e));
    } finally {
      setSubmitting(false);
    }
  };

  const field = (key: string) => ({
    error: !!errors[key],
    helperText: errors[key],
  });

  return (
    <Dialog open={props.open} onClose={props.onClose} maxWidth="md" fullWidth>
      <DialogTitle>New cluster</DialogTitle>
      <DialogContent>
        <Grid container spacing={2}>
          <Grid item xs={12} sm={6}>
            <TextField
              label="Name"
              fullWidth
              required
              value={name}
              onChange={e => setName(e.target.value)}
              inputProps={{ 'data-testid': 'new-cluster-name' }}
              {...field('name')}
            />
          </Grid>
          <Grid item xs={12} sm={6}>
            <TextField
              select
              label="Owner"
              fullWidth
              required
              value={owner}
              onChange={e => setOwner(e.target.value)}
              SelectProps={{ native: true }}
              inputProps={{ 'data-testid': 'new-cluster-owner' }}
              {...field('owner')}
            >
              {!props.groups.length && <option value="">No groups</option>}
              {props.groups.map(group => (
                <option key={group} value={group}>
                  {group}
                </option>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12} sm={4}>
            <TextField
              select
              label="Distribution"
              fullWidth
              value={distribution}
              onChange={e => {
                const next = e.target.value as ProvisionedDistribution;
                setDistribution(next);
                const offered = props.offeredVersions?.[next] ?? NO_VERSIONS;
                setVersion(offered[offered.length - 1] ?? '');
              }}
              SelectProps={{ native: true }}
              inputProps={{ 'data-testid': 'new-cluster-distribution' }}
              {...field('distribution')}
            >
              {PROVISIONED_DISTRIBUTIONS.map(d => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12} sm={4}>
            <TextField
              label="Region"
              fullWidth
              required
              placeholder={REGION_HINT[distribution]}
              value={region}
              onChange={e => setRegion(e.target.value)}
              inputProps={{ 'data-testid': 'new-cluster-region' }}
              InputLabelProps={{ shrink: true }}
              {...field('region')}
            />
          </Grid>
          <Grid item xs={12} sm={4}>
            <TextField
              select
              label="Kubernetes version"
              fullWidth
              value={version}
              onChange={e => setVersion(e.target.value)}
              SelectProps={{ native: true }}
              inputProps={{ 'data-testid': 'new-cluster-version' }}
              {...field('kubernetesVersion')}
              helperText={
                errors.kubernetesVersion ??
                (props.offeredVersions && !versions.length
                  ? `No version is offered for ${distribution}.`
                  : undefined)
              }
            >
              {!versions.length && <option value="">None</option>}
              {versions.map(v => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12}>
            <TextField
              select
              label={`Credential (${CREDENTIAL_KIND_OF[distribution]})`}
              fullWidth
              required
              value={credential}
              onChange={e => setCredential(e.target.value)}
              SelectProps={{ native: true }}
              inputProps={{ 'data-testid': 'new-cluster-credential' }}
              {...field('credential')}
              helperText={
                errors.credential ??
                (credentials.value && !usable.length
                  ? `The owner has no ${CREDENTIAL_KIND_OF[distribution]} credential: add one on the Credentials page.`
                  : undefined)
              }
            >
              {!usable.length && <option value="">None</option>}
              {usable.map(c => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </TextField>
          </Grid>
        </Grid>

        <Box mt={3} mb={1}>
          <Typography variant="h6">Node pools</Typography>
          {errors.nodePools && (
            <Typography color="error" variant="body2">
              {errors.nodePools}
            </Typography>
          )}
        </Box>
        {pools.map((pool, index) => {
          const key = (f: string) => `nodePools.${index}.${f}`;
          const testId = (f: string) => `new-pool-${index}-${f}`;
          const sizeField = (f: 'minSize' | 'desiredSize' | 'maxSize') => (
            <TextField
              label={
                { minSize: 'Min', desiredSize: 'Desired', maxSize: 'Max' }[f]
              }
              type="number"
              fullWidth
              value={pool[f]}
              onChange={e => setPool(index, f, e.target.value)}
              inputProps={{ 'data-testid': testId(f), min: 0 }}
              {...field(key(f))}
            />
          );
          return (
            <Grid
              container
              spacing={2}
              key={index}
              alignItems="flex-start"
              data-testid={`new-pool-${index}`}
            >
              <Grid item xs={12} sm={3}>
                <TextField
                  label="Pool name"
                  fullWidth
                  value={pool.name}
                  onChange={e => setPool(index, 'name', e.target.value)}
                  inputProps={{ 'data-testid': testId('name') }}
                  {...field(key('name'))}
                />
              </Grid>
              <Grid item xs={12} sm={3}>
                <TextField
                  label="Machine type"
                  fullWidth
                  placeholder="m5.large"
                  value={pool.machineType}
                  onChange={e => setPool(index, 'machineType', e.target.value)}
                  inputProps={{ 'data-testid': testId('machineType') }}
                  InputLabelProps={{ shrink: true }}
                  {...field(key('machineType'))}
                />
              </Grid>
              <Grid item xs={4} sm={2}>
                {sizeField('minSize')}
              </Grid>
              <Grid item xs={4} sm={2}>
                {sizeField('desiredSize')}
              </Grid>
              <Grid item xs={3} sm={1}>
                {sizeField('maxSize')}
              </Grid>
              <Grid item xs={1}>
                <IconButton
                  aria-label={`Remove node pool ${pool.name}`}
                  disabled={pools.length === 1}
                  onClick={() =>
                    setPools(current => current.filter((_, i) => i !== index))
                  }
                >
                  <DeleteIcon />
                </IconButton>
              </Grid>
            </Grid>
          );
        })}
        <Button
          onClick={() =>
            setPools(current => [...current, newPool(current.length)])
          }
          data-testid="new-cluster-add-pool"
        >
          Add node pool
        </Button>

        {serverError && (
          <Alert severity="error" data-testid="new-cluster-error">
            {serverError}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={submitting}
          onClick={submit}
          data-testid="new-cluster-submit"
        >
          Create
        </Button>
      </DialogActions>
    </Dialog>
  );
}
