/**
 * AKS through Cluster API Provider Azure's ASO kinds (CAPZ v1beta1):
 * AzureASOManagedCluster (a ResourceGroup), AzureASOManagedControlPlane (a
 * ManagedCluster) and one AzureASOManagedMachinePool (a
 * ManagedClustersAgentPool) per node pool. The embedded resources are Azure
 * Service Operator v2 objects that CAPZ creates and completes.
 *
 * Mapping:
 * - region -> ResourceGroup and ManagedCluster `location`.
 * - version: CAPZ's contract field and the MachinePool take `v1.32`; the
 *   ManagedCluster `kubernetesVersion` takes `1.32` (CAPZ strips the `v` and
 *   rejects a different value). Agent pool versions and counts are left to
 *   CAPZ, which copies them from the MachinePool.
 * - machineType -> vmSize; the first pool is the System pool.
 * - min/max -> AKS's own autoscaler (enableAutoScaling, minCount, maxCount)
 *   when min < max, so no cluster-autoscaler annotations; desired -> replicas.
 * - labels -> nodeLabels; taints -> nodeTaints as `key=value:Effect`.
 * - Agent pool names in Azure: lower-case alphanumerics, at most 12, a letter first.
 * - credential: a Secret in the namespace, referenced by every ASO resource
 *   through the `serviceoperator.azure.com/credential-from` annotation.
 */
import {
  ClusterSpec,
  NodePool,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { capiDistribution, INFRA_GROUP, machinePoolName } from './clusterApi';
import { compact } from './model';
import { credentialSecret, labelMap, scaleBounds } from './parts';
import { RenderContext } from './types';

const CAPZ_API = `${INFRA_GROUP}/v1beta1`;
export const ASO_CONTAINERSERVICE_API =
  'containerservice.azure.com/v1api20240901';
export const ASO_RESOURCES_API = 'resources.azure.com/v1api20200601';
export const CREDENTIAL_FROM = 'serviceoperator.azure.com/credential-from';

/** An ASO resource as CAPZ embeds it in `spec.resources`. */
export interface AsoResource<Spec> {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations: Record<string, string> };
  spec: Spec;
}

export interface ResourceGroupSpec {
  location: string;
}

export interface ManagedClusterSpec {
  owner: { name: string };
  location: string;
  dnsPrefix: string;
  kubernetesVersion: string;
  identity: { type: 'SystemAssigned' };
  networkProfile: { networkPlugin: 'azure' };
}

export interface AgentPoolSpec {
  azureName: string;
  owner: { name: string };
  mode: 'System' | 'User';
  type: 'VirtualMachineScaleSets';
  vmSize: string;
  enableAutoScaling: boolean;
  minCount?: number;
  maxCount?: number;
  nodeLabels?: Record<string, string>;
  nodeTaints?: string[];
}

export interface AsoManagedSpec {
  resources: Array<AsoResource<unknown>>;
  version?: string;
}

export const aksVersion = (minor: string) => `v${minor}`;

/** Azure agent pool names: [a-z][a-z0-9]{0,11}, unique in the cluster. */
export function agentPoolNames(pools: NodePool[]): string[] {
  const used = new Set<string>();
  return pools.map((pool, i) => {
    let base = pool.name.replace(/[^a-z0-9]/g, '');
    if (!/^[a-z]/.test(base)) base = `p${base}`;
    let name = base.slice(0, 12);
    for (let n = i; used.has(name); n++) {
      const suffix = String(n);
      name = `${base.slice(0, 12 - suffix.length)}${suffix}`;
    }
    used.add(name);
    return name;
  });
}

function aso<Spec>(
  apiVersion: string,
  kind: string,
  name: string,
  ctx: RenderContext,
  spec: Spec,
): AsoResource<Spec> {
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      annotations: { [CREDENTIAL_FROM]: ctx.credentialSecretName },
    },
    spec,
  };
}

function agentPool(
  spec: ClusterSpec,
  ctx: RenderContext,
  pool: NodePool,
  index: number,
  azureName: string,
): AsoResource<AgentPoolSpec> {
  const bounds = scaleBounds(pool);
  return aso(
    ASO_CONTAINERSERVICE_API,
    'ManagedClustersAgentPool',
    machinePoolName(spec, pool),
    ctx,
    compact({
      azureName,
      owner: { name: spec.name },
      mode: index === 0 ? ('System' as const) : ('User' as const),
      type: 'VirtualMachineScaleSets' as const,
      vmSize: pool.machineType,
      enableAutoScaling: bounds.scaled,
      minCount: bounds.min,
      maxCount: bounds.max,
      nodeLabels: labelMap(pool),
      nodeTaints: pool.taints.length
        ? pool.taints.map(t => `${t.key}=${t.value ?? ''}:${t.effect}`)
        : undefined,
    }),
  );
}

export const aks = capiDistribution({
  id: 'aks',

  render(spec, ctx) {
    const version = aksVersion(spec.kubernetesVersion);
    const resourceGroup = spec.name;
    const infraCluster: AsoManagedSpec = {
      resources: [
        aso<ResourceGroupSpec>(
          ASO_RESOURCES_API,
          'ResourceGroup',
          resourceGroup,
          ctx,
          { location: spec.region },
        ),
      ],
    };
    const controlPlane: AsoManagedSpec = {
      version,
      resources: [
        aso<ManagedClusterSpec>(
          ASO_CONTAINERSERVICE_API,
          'ManagedCluster',
          spec.name,
          ctx,
          {
            owner: { name: resourceGroup },
            location: spec.region,
            dnsPrefix: spec.name,
            kubernetesVersion: spec.kubernetesVersion,
            identity: { type: 'SystemAssigned' },
            networkProfile: { networkPlugin: 'azure' },
          },
        ),
      ],
    };
    const names = agentPoolNames(spec.nodePools);
    return {
      infraCluster: {
        apiVersion: CAPZ_API,
        kind: 'AzureASOManagedCluster',
        spec: infraCluster,
      },
      controlPlane: {
        apiVersion: CAPZ_API,
        kind: 'AzureASOManagedControlPlane',
        spec: controlPlane,
      },
      pool: pool => {
        const index = spec.nodePools.indexOf(pool);
        const infraPool: AsoManagedSpec = {
          resources: [agentPool(spec, ctx, pool, index, names[index])],
        };
        return {
          infraPool: {
            apiVersion: CAPZ_API,
            kind: 'AzureASOManagedMachinePool',
            spec: infraPool,
          },
          machinePool: { version, autoscalerAnnotations: false },
        };
      },
    };
  },

  credentialObjects(spec, ctx, value) {
    return [
      credentialSecret(
        spec,
        ctx,
        {
          AZURE_SUBSCRIPTION_ID: value.subscriptionId,
          AZURE_TENANT_ID: value.tenantId,
          AZURE_CLIENT_ID: value.clientId,
          AZURE_CLIENT_SECRET: value.clientSecret,
        },
        // Referenced only by annotation: clusterctl move needs the label.
        { 'clusterctl.cluster.x-k8s.io/move': 'true' },
      ),
    ];
  },
});
