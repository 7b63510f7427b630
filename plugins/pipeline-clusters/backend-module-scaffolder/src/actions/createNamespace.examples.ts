import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'A namespace for a team with the default quota and limits',
    example: yaml.stringify({
      steps: [
        {
          id: 'namespace',
          action: 'pipeline:namespace:create',
          name: 'Create the namespace',
          input: {
            cluster: 'payments-prod',
            namespace: 'payments',
            team: 'group:default/payments',
          },
        },
      ],
    }),
  },
  {
    description:
      'A bigger namespace, the cluster taken from an EntityPicker value',
    example: yaml.stringify({
      steps: [
        {
          id: 'namespace',
          action: 'pipeline:namespace:create',
          name: 'Create the namespace',
          input: {
            cluster: 'resource:default/data-prod',
            namespace: 'ml-batch',
            team: 'group:default/data',
            quota: { cpu: '32', memory: '128Gi', pods: 200 },
            limits: { defaultCpu: '2', defaultMemory: '4Gi' },
          },
        },
      ],
    }),
  },
];
