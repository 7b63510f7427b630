import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Wait, with the defaults, for a new cluster to be Running',
    example: yaml.stringify({
      steps: [
        {
          id: 'wait',
          action: 'pipeline:cluster:wait',
          name: 'Wait for the cluster',
          input: { name: 'payments-prod' },
        },
      ],
    }),
  },
  {
    description: 'Wait up to an hour, polling every 30 seconds',
    example: yaml.stringify({
      steps: [
        {
          id: 'wait',
          action: 'pipeline:cluster:wait',
          name: 'Wait for the cluster',
          input: {
            name: 'payments-prod',
            until: 'Running',
            timeoutSeconds: 3600,
            pollSeconds: 30,
          },
        },
      ],
    }),
  },
];
