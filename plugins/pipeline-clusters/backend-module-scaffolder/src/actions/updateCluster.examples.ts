import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Scale a node pool, then wait until the cluster runs again',
    example: yaml.stringify({
      steps: [
        {
          id: 'scale',
          action: 'pipeline:cluster:update',
          name: 'Scale the general pool',
          input: {
            name: 'payments-prod',
            nodePools: {
              change: [
                { name: 'general', minSize: 2, maxSize: 10, desiredSize: 4 },
              ],
            },
          },
        },
        {
          id: 'wait',
          action: 'pipeline:cluster:wait',
          name: 'Wait for the new size',
          input: { name: 'payments-prod' },
        },
      ],
    }),
  },
  {
    description: 'Upgrade Kubernetes',
    example: yaml.stringify({
      steps: [
        {
          id: 'upgrade',
          action: 'pipeline:cluster:update',
          name: 'Upgrade the cluster',
          input: {
            name: 'resource:default/payments-prod',
            kubernetesVersion: '1.33',
          },
        },
      ],
    }),
  },
  {
    description:
      'Replace a pool by a tainted GPU pool and relabel another, in one change',
    example: yaml.stringify({
      steps: [
        {
          id: 'pools',
          action: 'pipeline:cluster:update',
          name: 'Change the node pools',
          input: {
            name: 'ml-training',
            nodePools: {
              add: [
                {
                  name: 'gpu-a100',
                  machineType: 'a2-highgpu-1g',
                  minSize: 0,
                  maxSize: 4,
                  labels: { accelerator: 'nvidia-a100' },
                  taints: [
                    {
                      key: 'nvidia.com/gpu',
                      value: 'present',
                      effect: 'NoSchedule',
                    },
                  ],
                },
              ],
              remove: ['gpu'],
              change: [
                { name: 'system', labels: { role: 'system' }, taints: [] },
              ],
            },
          },
        },
      ],
    }),
  },
];
