import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Registers the webhook for the events the trigger engine acts on',
    example: yaml.stringify({
      steps: [
        {
          id: 'webhook',
          action: 'spotguides:webhook:create',
          name: 'Register the webhook to the portal',
          input: { repoUrl: 'github.com?owner=payments&repo=orders' },
        },
      ],
    }),
  },
  {
    description: 'Only pushes and pull requests',
    example: yaml.stringify({
      steps: [
        {
          id: 'webhook',
          action: 'spotguides:webhook:create',
          name: 'Register the webhook to the portal',
          input: {
            repoUrl: 'github.com?owner=payments&repo=orders',
            events: ['push', 'pull_request'],
          },
        },
      ],
    }),
  },
];
