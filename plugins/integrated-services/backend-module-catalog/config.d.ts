import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /** The provider of integrated service instances (Resources of type integrated-service). */
      integratedServiceInstances?: {
        /**
         * How often the instances are read into the catalog.
         * Defaults to every 30 seconds with a 3 minute timeout.
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /** `spec.lifecycle` of every instance entity. Defaults to `production`. */
        lifecycle?: string;
      };
    };
  };
}
