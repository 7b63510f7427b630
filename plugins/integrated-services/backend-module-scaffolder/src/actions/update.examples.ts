import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Upgrade cert-manager to a version, keeping its spec and overrides',
    example: yaml.stringify({
      steps: [
        {
          id: 'upgrade',
          action: 'integrated-service:update',
          name: 'Upgrade cert-manager',
          input: {
            cluster: 'payments-prod',
            service: 'cert-manager',
            version: '1.15.5',
          },
        },
      ],
    }),
  },
];
