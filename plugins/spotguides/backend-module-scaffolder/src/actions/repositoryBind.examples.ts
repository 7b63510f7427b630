import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Binds a new repository to the component it will hold, checking the team namespace first',
    example: yaml.stringify({
      steps: [
        {
          id: 'bind',
          action: 'spotguides:repository:bind',
          name: 'Bind the repository to the component',
          input: {
            repoUrl: 'github.com?owner=payments&repo=orders',
            entityRef: 'component:default/orders',
            owner: 'group:default/payments',
            cluster: 'runtime',
            namespace: 'payments',
          },
        },
      ],
    }),
  },
];
