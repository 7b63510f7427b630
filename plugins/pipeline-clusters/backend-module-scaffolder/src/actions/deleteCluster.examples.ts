import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Delete a cluster, then wait until it is gone',
    example: yaml.stringify({
      steps: [
        {
          id: 'delete-cluster',
          action: 'pipeline:cluster:delete',
          name: 'Delete the cluster',
          input: { name: 'payments-staging' },
        },
        {
          id: 'wait',
          action: 'pipeline:cluster:wait',
          name: 'Wait for the deletion',
          input: { name: 'payments-staging', until: 'Deleted' },
        },
      ],
    }),
  },
];
