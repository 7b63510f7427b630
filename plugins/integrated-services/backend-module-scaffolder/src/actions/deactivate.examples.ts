import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Deactivate logging on a cluster',
    example: yaml.stringify({
      steps: [
        {
          id: 'deactivate',
          action: 'integrated-service:deactivate',
          name: 'Deactivate logging',
          input: {
            cluster: 'resource:default/payments-prod',
            service: 'logging',
          },
        },
      ],
    }),
  },
];
