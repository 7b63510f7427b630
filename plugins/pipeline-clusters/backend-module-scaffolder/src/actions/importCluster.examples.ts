import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Import a cluster; the kubeconfig comes from a `ui:field: Secret` parameter, so it is never stored with the task',
    example: yaml.stringify({
      steps: [
        {
          id: 'import-cluster',
          action: 'pipeline:cluster:import',
          name: 'Import the cluster',
          input: {
            name: 'legacy-onprem',
            owner: 'group:default/platform',
            kubeconfig: '${{ secrets.kubeconfig }}',
          },
        },
      ],
    }),
  },
];
