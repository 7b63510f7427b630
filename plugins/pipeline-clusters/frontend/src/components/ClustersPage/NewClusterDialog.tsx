import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import IconButton from '@material-ui/core/IconButton';
import Typography from '@material-ui/core/Typography';
import DeleteIcon from '@material-ui/icons/Delete';
import {
  clusterSpecSchema,
  CREDENTIAL_KIND_OF,
  PROVISIONED_DISTRIBUTIONS,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { useEffect, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { pipelineClustersApiRef } from '../../api';
import { FormDialog } from '@pipeline-portal/frontend-kit';
import { FormTextField, NameField } from '../forms/FormTextField';
import { OwnerSelect, useDefaultOwner } from '../forms/OwnerSelect';
import { useFormSubmit, validated } from '../forms/useFormSubmit';
import { toNumber } from '../util';

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
  const [owner, setOwner] = useDefaultOwner(props.groups);
  const [distribution, setDistribution] =
    useState<ProvisionedDistribution>('eks');
  const [region, setRegion] = useState('');
  const versions = props.offeredVersions?.[distribution] ?? NO_VERSIONS;
  const [version, setVersion] = useState('');
  const [credential, setCredential] = useState('');
  const [pools, setPools] = useState<PoolForm[]>([newPool(0)]);
  const form = useFormSubmit();
  const { errors } = form;

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
    const input = validated(clusterSpecSchema.safeParse(request));
    const sent = await form.submit(input, spec =>
      api
        .createCluster(spec as Parameters<typeof api.createCluster>[0])
        .then(() => undefined),
    );
    if (sent) {
      setName('');
      setPools([newPool(0)]);
      props.onCreated();
    }
  };

  return (
    <FormDialog
      open={props.open}
      title="New cluster"
      testId="new-cluster"
      submitLabel="Create"
      form={form}
      maxWidth="md"
      onClose={props.onClose}
      onSubmit={submit}
    >
      <Grid container spacing={2}>
        <Grid item xs={12} sm={6}>
          <NameField
            value={name}
            onValue={setName}
            testId="new-cluster-name"
            error={errors.name}
          />
        </Grid>
        <Grid item xs={12} sm={6}>
          <OwnerSelect
            value={owner}
            groups={props.groups}
            testId="new-cluster-owner"
            error={errors.owner}
            onChange={setOwner}
          />
        </Grid>
        <Grid item xs={12} sm={4}>
          <FormTextField
            select
            label="Distribution"
            fullWidth
            value={distribution}
            onValue={value => {
              const next = value as ProvisionedDistribution;
              setDistribution(next);
              const offered = props.offeredVersions?.[next] ?? NO_VERSIONS;
              setVersion(offered[offered.length - 1] ?? '');
            }}
            SelectProps={{ native: true }}
            testId="new-cluster-distribution"
            error={errors.distribution}
          >
            {PROVISIONED_DISTRIBUTIONS.map(d => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </FormTextField>
        </Grid>
        <Grid item xs={12} sm={4}>
          <FormTextField
            label="Region"
            fullWidth
            required
            placeholder={REGION_HINT[distribution]}
            value={region}
            onValue={setRegion}
            testId="new-cluster-region"
            InputLabelProps={{ shrink: true }}
            error={errors.region}
          />
        </Grid>
        <Grid item xs={12} sm={4}>
          <FormTextField
            select
            label="Kubernetes version"
            fullWidth
            value={version}
            onValue={setVersion}
            SelectProps={{ native: true }}
            testId="new-cluster-version"
            error={errors.kubernetesVersion}
            helperText={
              props.offeredVersions && !versions.length
                ? `No version is offered for ${distribution}.`
                : undefined
            }
          >
            {!versions.length && <option value="">None</option>}
            {versions.map(v => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </FormTextField>
        </Grid>
        <Grid item xs={12}>
          <FormTextField
            select
            label={`Credential (${CREDENTIAL_KIND_OF[distribution]})`}
            fullWidth
            required
            value={credential}
            onValue={setCredential}
            SelectProps={{ native: true }}
            testId="new-cluster-credential"
            error={errors.credential}
            helperText={
              credentials.value && !usable.length
                ? `The owner has no ${CREDENTIAL_KIND_OF[distribution]} credential: add one on the Credentials page.`
                : undefined
            }
          >
            {!usable.length && <option value="">None</option>}
            {usable.map(c => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </FormTextField>
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
          <FormTextField
            label={
              { minSize: 'Min', desiredSize: 'Desired', maxSize: 'Max' }[f]
            }
            type="number"
            fullWidth
            value={pool[f]}
            onValue={v => setPool(index, f, v)}
            testId={testId(f)}
            inputProps={{ min: 0 }}
            error={errors[key(f)]}
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
              <FormTextField
                label="Pool name"
                fullWidth
                value={pool.name}
                onValue={v => setPool(index, 'name', v)}
                testId={testId('name')}
                error={errors[key('name')]}
              />
            </Grid>
            <Grid item xs={12} sm={3}>
              <FormTextField
                label="Machine type"
                fullWidth
                placeholder="m5.large"
                value={pool.machineType}
                onValue={v => setPool(index, 'machineType', v)}
                testId={testId('machineType')}
                InputLabelProps={{ shrink: true }}
                error={errors[key('machineType')]}
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
    </FormDialog>
  );
}
