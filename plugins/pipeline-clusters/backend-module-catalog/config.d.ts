import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /** The pipeline-clusters entity provider. */
      pipelineClusters?: {
        /**
         * How often the clusters are read into the catalog.
         * Defaults to every 30 seconds with a 3 minute timeout.
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /** `spec.lifecycle` of every cluster entity. Defaults to `production`. */
        lifecycle?: string;
        /** `spec.system` of every cluster entity, e.g. `platform`. Unset by default. */
        system?: string;
      };
    };
  };
}
