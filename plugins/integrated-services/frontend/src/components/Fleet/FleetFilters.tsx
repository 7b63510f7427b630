import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import type {
  InstancePhase,
  ListInstancesRequest,
  ServiceSummary,
} from '@pipeline-portal/plugin-integrated-services-common';
import { ALL_PHASES, compareVersions } from '../util';

function Select(props: {
  label: string;
  testId: string;
  value: string;
  options: Array<[string, string]>;
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
      style={{ minWidth: 160 }}
    >
      <option value="">Any</option>
      {props.options.map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </TextField>
  );
}

/** Service, version, phase and drift filters of the fleet page. */
export function FleetFilters(props: {
  services: ServiceSummary[];
  value: ListInstancesRequest;
  onChange: (value: ListInstancesRequest) => void;
}) {
  const { value, services } = props;
  const versions = [
    ...new Set(
      services
        .filter(s => !value.service || s.name === value.service)
        .flatMap(s => s.versions),
    ),
  ].sort((a, b) => compareVersions(b, a));
  const set = (patch: ListInstancesRequest) =>
    props.onChange({ ...value, ...patch });
  let drift = '';
  if (value.drift !== undefined) drift = value.drift ? 'yes' : 'no';

  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mb={2}>
      <Select
        label="Service"
        testId="filter-service"
        value={value.service ?? ''}
        options={services.map(s => [s.name, s.title ?? s.name])}
        // A version of another service would match nothing.
        onChange={v => set({ service: v || undefined, version: undefined })}
      />
      <Select
        label="Version"
        testId="filter-version"
        value={value.version ?? ''}
        options={versions.map(v => [v, v])}
        onChange={v => set({ version: v || undefined })}
      />
      <Select
        label="Phase"
        testId="filter-phase"
        value={value.phase ?? ''}
        options={ALL_PHASES.map(p => [p, p])}
        onChange={v => set({ phase: (v || undefined) as InstancePhase })}
      />
      <Select
        label="Drift"
        testId="filter-drift"
        value={drift}
        options={[
          ['yes', 'With drift'],
          ['no', 'Without drift'],
        ]}
        onChange={v => set({ drift: v ? v === 'yes' : undefined })}
      />
    </Box>
  );
}
