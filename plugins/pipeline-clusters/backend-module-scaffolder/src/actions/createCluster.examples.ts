import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Create an EKS cluster with one autoscaled node pool',
    example: yaml.stringify({
      steps: [
        {
          id: 'create-cluster',
          action: 'pipeline:cluster:create',
          name: 'Create the cluster',
          input: {
            name: 'payments-prod',
            owner: 'group:default/payments',
            distribution: 'eks',
            region: 'eu-west-1',
            kubernetesVersion: '1.32',
            credential: 'payments-aws',
            nodePools: [
              {
                name: 'default',
                machineType: 'm5.large',
                minSize: 1,
                maxSize: 3,
              },
            ],
          },
        },
      ],
    }),
  },
  {
    description: 'Create a GKE cluster with a tainted GPU pool',
    example: yaml.stringify({
      steps: [
        {
          id: 'create-cluster',
          action: 'pipeline:cluster:create',
          name: 'Create the cluster',
          input: {
            name: 'ml-training',
            owner: 'group:default/data',
            distribution: 'gke',
            region: 'europe-west4',
            kubernetesVersion: '1.33',
            credential: 'data-gcp',
            nodePools: [
              {
                name: 'system',
                machineType: 'e2-standard-4',
                minSize: 1,
                maxSize: 2,
              },
              {
                name: 'gpu',
                machineType: 'a2-highgpu-1g',
                minSize: 0,
                maxSize: 4,
                desiredSize: 1,
                labels: { accelerator: 'nvidia' },
                taints: [
                  {
                    key: 'nvidia.com/gpu',
                    value: 'present',
                    effect: 'NoSchedule',
                  },
                ],
              },
            ],
          },
        },
      ],
    }),
  },
];
