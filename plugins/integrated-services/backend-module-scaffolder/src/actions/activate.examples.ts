import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Activate monitoring on a cluster with its newest version',
    example: yaml.stringify({
      steps: [
        {
          id: 'monitoring',
          action: 'integrated-service:activate',
          name: 'Activate monitoring',
          input: {
            cluster: 'resource:default/payments-prod',
            service: 'monitoring',
            spec: { retention: '15d' },
          },
        },
      ],
    }),
  },
  {
    description:
      'Activate cert-manager at a version, with a chart value overridden',
    example: yaml.stringify({
      steps: [
        {
          id: 'cert-manager',
          action: 'integrated-service:activate',
          name: 'Activate cert-manager',
          input: {
            cluster: 'payments-prod',
            service: 'cert-manager',
            version: '1.14.7',
            overrides: { replicaCount: 2 },
          },
        },
      ],
    }),
  },
];
