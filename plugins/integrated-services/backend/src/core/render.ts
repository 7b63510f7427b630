/**
 * What a ServiceInstance becomes on its cluster: the Flux source of the
 * version's chart (HelmRepository, or OCIRepository for `oci://` charts), a
 * HelmRelease with the rendered values, and the Kubernetes Secrets its spec
 * names (values refer to them by name and never hold their content).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  getPointer,
  IntegratedServiceEntity,
  renderValues,
  ServiceVersion,
} from '@pipeline-portal/plugin-integrated-services-common';
import {
  INSTANCE_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_PORTAL,
  ServiceInstance,
} from './instance';

export const HELM_RELEASE = 'helm.toolkit.fluxcd.io/v2';
export const SOURCE_API = 'source.toolkit.fluxcd.io/v1';

type Definition = Pick<IntegratedServiceEntity, 'metadata' | 'spec'>;

export interface RenderedService {
  /** The chart's source, HelmRepository or OCIRepository. */
  source: KubernetesObject & { spec: Record<string, unknown> };
  release: KubernetesObject & { spec: Record<string, any> };
  secrets: Array<KubernetesObject & { data: Record<string, string> }>;
  /** The namespace the chart installs into (and the Secrets live in). */
  targetNamespace: string;
  /** The chart version the release must report once installed. */
  chartVersion: string;
}

/** A credential's value, keyed as the definition's secret binding lists. */
export type SecretValues = Map<string, Record<string, string>>;

export function targetNamespaceOf(definition: Definition): string {
  return definition.spec.namespace ?? definition.metadata.name;
}

/** The credential names a version's secret bindings take from the spec. */
export function credentialNames(
  version: ServiceVersion,
  spec: Record<string, unknown>,
): Array<{ secretName: string; credential: string; keys: string[] }> {
  const out = [];
  for (const binding of version.secrets ?? []) {
    const credential = getPointer(spec, binding.field);
    if (typeof credential === 'string' && credential) {
      out.push({
        secretName: binding.secretName,
        credential,
        keys: binding.keys,
      });
    }
  }
  return out;
}

/** Header-only objects of a service, to read or delete them. */
export function renderedHeaders(instance: ServiceInstance, oci: boolean) {
  const meta = {
    name: instance.metadata.name,
    namespace: instance.metadata.namespace,
  };
  return {
    source: {
      apiVersion: SOURCE_API,
      kind: oci ? 'OCIRepository' : 'HelmRepository',
      metadata: meta,
    },
    release: { apiVersion: HELM_RELEASE, kind: 'HelmRelease', metadata: meta },
  };
}

export function isOci(version: ServiceVersion): boolean {
  return (
    version.chart.type === 'oci' ||
    version.chart.repository.startsWith('oci://')
  );
}

/**
 * Renders the objects of one version of the service for an instance.
 * `secretValues` holds the values of the credentials the spec names; a
 * binding whose value is missing renders no Secret (the caller refuses that).
 */
export function renderService(
  definition: Definition,
  version: ServiceVersion,
  instance: ServiceInstance,
  secretValues: SecretValues = new Map(),
): RenderedService {
  const name = instance.metadata.name;
  const namespace = instance.metadata.namespace!;
  const targetNamespace = targetNamespaceOf(definition);
  const labels = {
    [MANAGED_BY_LABEL]: MANAGED_BY_PORTAL,
    [INSTANCE_LABEL]: name,
  };
  const meta = { name, namespace, labels };
  const oci = isOci(version);
  const { chart } = version;

  const source: RenderedService['source'] = oci
    ? {
        apiVersion: SOURCE_API,
        kind: 'OCIRepository',
        metadata: meta,
        spec: {
          interval: '1h',
          url: `${chart.repository.replace(/\/+$/, '')}/${chart.name}`,
          ref: { tag: chart.version },
          layerSelector: {
            mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
            operation: 'copy',
          },
        },
      }
    : {
        apiVersion: SOURCE_API,
        kind: 'HelmRepository',
        metadata: meta,
        spec: { interval: '1h', url: chart.repository },
      };

  const values = renderValues(
    version,
    instance.spec.spec ?? {},
    instance.spec.overrides ?? {},
  );
  const release: RenderedService['release'] = {
    apiVersion: HELM_RELEASE,
    kind: 'HelmRelease',
    metadata: meta,
    spec: {
      interval: '10m',
      releaseName: definition.spec.releaseName ?? definition.metadata.name,
      targetNamespace,
      storageNamespace: targetNamespace,
      install: { createNamespace: true, crds: 'CreateReplace' },
      upgrade: { crds: 'CreateReplace' },
      ...(oci
        ? { chartRef: { kind: 'OCIRepository', name } }
        : {
            chart: {
              spec: {
                chart: chart.name,
                version: chart.version,
                sourceRef: { kind: 'HelmRepository', name },
              },
            },
          }),
      values,
    },
  };

  const secrets: RenderedService['secrets'] = [];
  for (const { secretName, credential } of credentialNames(
    version,
    instance.spec.spec ?? {},
  )) {
    const value = secretValues.get(credential);
    if (!value) continue;
    secrets.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName, namespace: targetNamespace, labels },
      type: 'Opaque',
      data: Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k,
          Buffer.from(v, 'utf8').toString('base64'),
        ]),
      ),
    } as RenderedService['secrets'][number]);
  }

  return {
    source,
    release,
    secrets,
    targetNamespace,
    chartVersion: chart.version,
  };
}
