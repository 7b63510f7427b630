/** Sample inputs of every distribution: specs, credentials, CRDs, context. */
import {
  ClusterSpec,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { RenderContext } from '../types';

/** The CRDs each distribution writes (paths relative to shared/crds). */
export const CRDS: Record<ProvisionedDistribution, string[]> = {
  eks: [
    'cluster.x-k8s.io/clusters.yaml',
    'cluster.x-k8s.io/machinepools.yaml',
    'infrastructure.cluster.x-k8s.io/awsmanagedclusters.yaml',
    'controlplane.cluster.x-k8s.io/awsmanagedcontrolplanes.yaml',
    'infrastructure.cluster.x-k8s.io/awsmanagedmachinepools.yaml',
    'infrastructure.cluster.x-k8s.io/awsclusterstaticidentities.yaml',
  ],
  aks: [
    'cluster.x-k8s.io/clusters.yaml',
    'cluster.x-k8s.io/machinepools.yaml',
    'infrastructure.cluster.x-k8s.io/azureasomanagedclusters.yaml',
    'infrastructure.cluster.x-k8s.io/azureasomanagedcontrolplanes.yaml',
    'infrastructure.cluster.x-k8s.io/azureasomanagedmachinepools.yaml',
  ],
  gke: [
    'cluster.x-k8s.io/clusters.yaml',
    'cluster.x-k8s.io/machinepools.yaml',
    'infrastructure.cluster.x-k8s.io/gcpmanagedclusters.yaml',
    'infrastructure.cluster.x-k8s.io/gcpmanagedcontrolplanes.yaml',
    'infrastructure.cluster.x-k8s.io/gcpmanagedmachinepools.yaml',
  ],
  oke: [
    'cluster.x-k8s.io/clusters.yaml',
    'cluster.x-k8s.io/machinepools.yaml',
    'infrastructure.cluster.x-k8s.io/ocimanagedclusters.yaml',
    'infrastructure.cluster.x-k8s.io/ocimanagedcontrolplanes.yaml',
    'infrastructure.cluster.x-k8s.io/ocimanagedmachinepools.yaml',
    'infrastructure.cluster.x-k8s.io/ociclusteridentities.yaml',
  ],
  ack: [
    'ack.alibabacloud.crossplane.io/managedkubernetes.yaml',
    'ack.alibabacloud.crossplane.io/kubernetesnodepools.yaml',
    'alibabacloud.crossplane.io/providerconfigs.yaml',
  ],
  doks: [
    'kubernetes.do.crossplane.io/dokubernetesclusters.yaml',
    'do.crossplane.io/providerconfigs.yaml',
  ],
};

export const NAMESPACE = 'clusters-payments';

export const ctx: RenderContext = {
  namespace: NAMESPACE,
  credentialSecretName: 'orders-credential',
  cloud: {
    gcpProject: 'payments-prod-4711',
    ociCompartmentId: 'ocid1.tenancy.oc1..aaaa',
  },
};

const MACHINE: Record<ProvisionedDistribution, [string, string]> = {
  eks: ['m5.large', 'g5.xlarge'],
  aks: ['Standard_D4s_v5', 'Standard_NC6s_v3'],
  gke: ['e2-standard-4', 'n1-standard-8'],
  oke: ['VM.Standard3.Flex', 'VM.GPU3.1'],
  ack: ['ecs.g7.xlarge', 'ecs.gn6i-c4g1.xlarge'],
  doks: ['s-4vcpu-8gb', 'g-8vcpu-32gb'],
};

const REGION: Record<ProvisionedDistribution, string> = {
  eks: 'eu-west-1',
  aks: 'westeurope',
  gke: 'europe-west1',
  oke: 'eu-frankfurt-1',
  ack: 'eu-central-1',
  doks: 'fra1',
};

/**
 * A realistic spec in the shape Banzai Pipeline clusters had: an autoscaled
 * general pool and a fixed-size GPU pool, tainted so only GPU work lands there.
 */
export function sampleSpec(d: ProvisionedDistribution): ClusterSpec {
  return {
    name: 'orders',
    owner: 'group:default/payments',
    distribution: d,
    region: REGION[d],
    kubernetesVersion: '1.32',
    credential: 'payments-cloud',
    nodePools: [
      {
        name: 'general',
        machineType: MACHINE[d][0],
        minSize: 2,
        maxSize: 6,
        desiredSize: 3,
        labels: { 'node.example.com/role': 'general' },
        taints: [],
      },
      {
        name: 'gpu',
        machineType: MACHINE[d][1],
        minSize: 1,
        maxSize: 1,
        desiredSize: 1,
        labels: { 'node.example.com/role': 'gpu', accelerator: 'nvidia' },
        taints: [
          { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
          { key: 'dedicated', effect: 'NoExecute' },
        ],
      },
    ],
  };
}

export const CREDENTIALS: Record<
  ProvisionedDistribution,
  Record<string, string>
> = {
  eks: {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
  aks: {
    tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    subscriptionId: '00000000-0000-0000-0000-000000000001',
    clientId: '00000000-0000-0000-0000-000000000002',
    clientSecret: 'secret',
  },
  gke: {
    serviceAccountKey: JSON.stringify({
      type: 'service_account',
      project_id: 'payments-prod-4711',
      private_key:
        '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n',
      client_email: 'capg@payments-prod-4711.iam.gserviceaccount.com',
    }),
  },
  oke: {
    tenancy: 'ocid1.tenancy.oc1..aaaa',
    user: 'ocid1.user.oc1..bbbb',
    fingerprint: '12:34:56:78:90:ab:cd:ef:12:34:56:78:90:ab:cd:ef',
    privateKey:
      '-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----',
    region: 'eu-frankfurt-1',
  },
  ack: { accessKeyId: 'LTAI5tExample', accessKeySecret: 'example-secret' },
  doks: { token: 'dop_v1_0123456789abcdef0123456789abcdef' },
};
