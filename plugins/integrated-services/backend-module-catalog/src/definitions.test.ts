import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Entity } from '@backstage/catalog-model';
import { parseEntityYaml } from '@backstage/plugin-catalog-node';
import {
  IntegratedServiceEntity,
  findVersion,
  planPath,
  planTargets,
  renderValues,
  validateSpec,
} from '@pipeline-portal/plugin-integrated-services-common';
import { IntegratedServiceEntityProcessor } from './IntegratedServiceEntityProcessor';

const dir = resolve(__dirname, '../../../../catalog/integrated-services');
const files = readdirSync(dir).filter(
  f => f.endsWith('.yaml') && f !== 'all.yaml',
);

/** Parses a file as the catalog does (YAML documents, aliases resolved). */
function load(file: string): Entity[] {
  const location = { type: 'file', target: join(dir, file) };
  const entities: Entity[] = [];
  for (const result of parseEntityYaml(
    readFileSync(join(dir, file)),
    location,
  )) {
    if (result.type !== 'entity')
      throw new Error(`${file}: ${JSON.stringify(result)}`);
    entities.push(result.entity);
  }
  return entities;
}

const definitions = new Map<string, IntegratedServiceEntity>(
  files.map(file => {
    const [entity] = load(file);
    return [entity.metadata.name, entity as IntegratedServiceEntity];
  }),
);
const get = (name: string) => definitions.get(name)!;

describe('the shipped integrated service definitions', () => {
  it('are nine or more, one per file, each listed in the location', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const file of files) expect(load(file)).toHaveLength(1);
    const [location] = load('all.yaml');
    expect([...(location.spec!.targets as string[])].sort()).toEqual(
      files.map(f => `./${f}`).sort(),
    );
    expect([...definitions.keys()].sort()).toEqual([
      'backup',
      'cert-manager',
      'dns',
      'ingress',
      'logging',
      'monitoring',
      'policy',
      'secrets',
      'vulnerability-scanning',
    ]);
  });

  it.each(files)('%s passes the catalog processor', async file => {
    const processor = new IntegratedServiceEntityProcessor();
    await expect(processor.validateEntityKind(load(file)[0])).resolves.toBe(
      true,
    );
  });

  it.each(files)('%s plans every version and renders its defaults', file => {
    const definition = load(file)[0] as IntegratedServiceEntity;
    const versions = definition.spec.versions.map(v => v.version);
    for (const version of definition.spec.versions) {
      const plan = planTargets(definition, version.version);
      expect(
        [...plan.targets, ...plan.unreachable].map(t => t.version).sort(),
      ).toEqual(versions.filter(v => v !== version.version).sort());
      for (const target of plan.targets) {
        expect(target.path[0]).toBe(version.version);
        expect(target.path[target.path.length - 1]).toBe(target.version);
        expect(
          target.steps.filter(s => s.type === 'chartUpgrade'),
        ).toHaveLength(target.path.length - 1);
      }
      for (const { reason } of plan.unreachable)
        expect(reason).toMatch(/^no chain of/);
      // Rendering never drops a default the spec does not touch.
      expect(Object.keys(renderValues(version, {}))).toEqual(
        expect.arrayContaining(Object.keys(version.values)),
      );
      expect(version.chart.repository).toMatch(/^https:\/\//);
    }
  });

  it('offers several-step paths in at least three services', () => {
    const multiStep = [...definitions.values()].filter(definition =>
      definition.spec.versions.some(v =>
        planTargets(definition, v.version).targets.some(
          t => t.path.length >= 3,
        ),
      ),
    );
    expect(multiStep.length).toBeGreaterThanOrEqual(3);
    for (const definition of multiStep) {
      expect(definition.spec.versions.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('upgrades cert-manager in two steps, and deletes the Deployments before 0.14', () => {
    const twoStep = planPath(get('cert-manager'), '1.14.7', '1.16.1');
    expect(twoStep.reachable && twoStep.target.path).toEqual([
      '1.14.7',
      '1.15.3',
      '1.16.1',
    ]);
    const legacy = planPath(get('cert-manager'), '0.13.0', '0.14.3');
    if (!legacy.reachable) throw new Error(legacy.unreachable.reason);
    expect(legacy.target.steps.map(s => s.type)).toEqual([
      'deleteResources',
      'chartUpgrade',
    ]);
    expect(legacy.target.steps[0]).toMatchObject({
      resources: [
        { kind: 'Deployment', name: 'cert-manager' },
        { kind: 'Deployment', name: 'cert-manager-cainjector' },
        { kind: 'Deployment', name: 'cert-manager-webhook' },
      ],
    });
    const gap = planPath(get('cert-manager'), '0.14.3', '1.14.7');
    expect(gap.reachable).toBe(false);
  });

  it('ships every alert rule the monitoring service promises', () => {
    const version = findVersion(get('monitoring'))!;
    const groups = (version.values as any).additionalPrometheusRulesMap[
      'pipeline-portal'
    ].groups;
    const alerts = groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    expect(alerts.sort()).toEqual([
      'ClientCertificateExpiresNextWeek',
      'DaemonSetMisscheduled',
      'DaemonSetRolloutStuck',
      'DeploymentReplicasMismatch',
      'EndpointAddressNotReady',
      'LogPipelineSendsNoBytes',
      'NodeNotReady',
      'PodCrashLooping',
      'PodNotHealthy',
      'PrometheusTargetMissing',
    ]);
  });

  it('routes monitoring alerts to Slack and PagerDuty through mounted Secrets, never the secret itself', () => {
    const version = findVersion(get('monitoring'))!;
    const spec = {
      retention: '15d',
      alerting: {
        slack: { credential: 'ops-slack', channel: '#alerts' },
        pagerduty: { credential: 'ops-pager' },
      },
    };
    expect(validateSpec(version, spec)).toEqual({ valid: true, issues: [] });
    const values = renderValues(version, spec) as any;
    const am = values.alertmanager;
    expect(am.alertmanagerSpec.secrets).toEqual([
      'alertmanager-slack',
      'alertmanager-pagerduty',
    ]);
    expect(am.config.receivers.map((r: any) => r.name)).toEqual([
      'null',
      'slack',
      'pagerduty',
    ]);
    expect(am.config.receivers[1].slack_configs[0]).toMatchObject({
      api_url_file: '/etc/alertmanager/secrets/alertmanager-slack/url',
      channel: '#alerts',
    });
    expect(am.config.route.routes.map((r: any) => r.receiver)).toEqual([
      'null',
      'slack',
      'pagerduty',
    ]);
    expect(values.prometheus.prometheusSpec.retention).toBe('15d');
    expect(version.secrets!.map(s => [s.field, s.secretName])).toEqual([
      ['/alerting/slack/credential', 'alertmanager-slack'],
      ['/alerting/pagerduty/credential', 'alertmanager-pagerduty'],
    ]);
    expect(JSON.stringify(values)).not.toContain('ops-slack');
  });

  it('refuses a monitoring spec with a bad channel at its JSON pointer', () => {
    const version = findVersion(get('monitoring'))!;
    const result = validateSpec(version, {
      alerting: { slack: { credential: 'ops-slack', channel: 'alerts' } },
    });
    expect(result.issues).toEqual([
      {
        pointer: '/alerting/slack/channel',
        message: 'must match pattern "^#[^\\s]+$"',
      },
    ]);
  });

  it('configures external-dns for each of the four DNS providers', () => {
    const version = findVersion(get('dns'))!;
    const cases = [
      { provider: 'aws', aws: { credential: 'r53' } },
      { provider: 'azure', azure: { credential: 'az', resourceGroup: 'dns' } },
      {
        provider: 'google',
        google: { credential: 'gcp', project: 'my-project-1' },
      },
      {
        provider: 'cloudflare',
        cloudflare: { credential: 'cf', proxied: true },
      },
    ];
    const rendered = cases.map(spec => {
      const full = { ...spec, domainFilters: ['example.com'] };
      expect(validateSpec(version, full).issues).toEqual([]);
      return renderValues(version, full) as any;
    });
    expect(rendered.map(v => v.provider.name)).toEqual([
      'aws',
      'azure',
      'google',
      'cloudflare',
    ]);
    expect(rendered[0].extraVolumes[0].secret.secretName).toBe(
      'external-dns-aws',
    );
    expect(rendered[1].extraArgs).toEqual(['--azure-resource-group=dns']);
    expect(rendered[2].extraArgs).toEqual(['--google-project=my-project-1']);
    expect(rendered[3].env[0].valueFrom.secretKeyRef).toEqual({
      name: 'external-dns-cloudflare',
      key: 'apiToken',
    });
    expect(rendered[3].extraArgs).toEqual(['--cloudflare-proxied']);
  });

  it('writes the logging output the user picks', () => {
    const version = findVersion(get('logging'))!;
    const loki = renderValues(version, {
      output: 'loki',
      loki: { host: 'loki.logging' },
    }) as any;
    expect(loki.config.outputs).toContain('Host loki.logging\n    Port 3100');
    const es = renderValues(version, {
      output: 'elasticsearch',
      elasticsearch: { host: 'es.example.com', credential: 'es-user' },
    }) as any;
    expect(es.config.outputs).toContain('Name es');
    expect(es.config.outputs).toContain('HTTP_Passwd ${password}');
    expect(es.envFrom).toEqual([
      { secretRef: { name: 'logging-elasticsearch' } },
    ]);
  });
});
