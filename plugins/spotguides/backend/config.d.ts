export interface Config {
  pipelinePortal?: {
    spotguides?: {
      /**
       * The trigger engine: how GitHub deliveries queued by the events
       * endpoint are processed. The webhook secret is Backstage's
       * `events.modules.github.webhookSecret`; without one every delivery is
       * refused.
       */
      trigger?: {
        /** Deliveries processed at once per portal replica. Default 16. */
        concurrency?: number;
        /**
         * How long a claimed delivery's lease lasts; renewed every third of
         * it while the delivery is worked on, so this is how soon another
         * replica takes over the deliveries of one that was killed. Default 10.
         */
        leaseSeconds?: number;
        /** How often the queue is looked at besides new deliveries. Default 1000. */
        pollIntervalMs?: number;
        /** First retry delay after a transient failure, doubled per attempt. Default 2000. */
        backoffBaseMs?: number;
        /** Longest retry delay. Default 300. */
        backoffCapSeconds?: number;
        /** Attempts before a delivery is recorded as failed. Default 30. */
        maxAttempts?: number;
        /**
         * How long after receipt a delivery from a repository with no catalog
         * component yet is retried instead of refused (a spotguide's first push
         * comes before the catalog has registered its component). Default 600.
         */
        componentGraceSeconds?: number;
        /**
         * How long a repository's catalog component (its runtime cluster and
         * namespace) is reused before the catalog is asked again. Default 15.
         */
        componentCacheSeconds?: number;
      };
      /**
       * What a pipeline file may ask of a run. Runs use the team namespace's
       * pipeline service account only; remote resolution (Tekton's `http`,
       * `git`, `bundles` and `hub` resolvers) reaches only these targets,
       * and the `cluster` resolver only the run's own namespace.
       */
      runs?: {
        allowedResolvers?: {
          /** HTTPS URL prefixes, e.g. `https://raw.githubusercontent.com/tektoncd/catalog/`. Default none. */
          http?: string[];
          /** Git repository URL prefixes (HTTPS). Default none. */
          git?: string[];
          /** OCI reference prefixes, e.g. `ghcr.io/tektoncd/catalog/`. Default none. */
          bundles?: string[];
          /** Tekton Hub or Artifact Hub catalog names, or `*`. Default none. */
          hub?: string[];
        };
      };
      /** Stored deliveries (they hold whole webhook payloads). */
      deliveries?: {
        /** Processed deliveries older than this many days are deleted. Default 14. */
        maxAgeDays?: number;
      };
      /** The curated Tekton Tasks installed into a team namespace before its first run. */
      tasks?: {
        /** Folder of their YAML files. Default: the project's catalog/tekton-tasks. */
        directory?: string;
      };
      /** The status watcher: final commit statuses of finished runs. */
      reporting?: {
        /** How often unfinished runs are read and statuses written. Default 10. */
        intervalSeconds?: number;
        /** Runs looked at per pass. Default 200. */
        batchSize?: number;
      };
      /** Deletes old PipelineRuns the portal created. */
      housekeeping?: {
        /** Finished runs older than this many days are deleted. Default 7. */
        maxAgeDays?: number;
        /** Runs kept per component and pipeline. Default 20. */
        keepPerPipeline?: number;
        /** How often a pass runs, in minutes. Default 60. */
        intervalMinutes?: number;
      };
    };
  };
}
