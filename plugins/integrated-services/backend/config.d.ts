export interface Config {
  pipelinePortal?: {
    integratedServices?: {
      /**
       * Namespace of the ServiceInstance resources (and their Flux objects) on
       * each cluster.
       * @default pipeline-system
       */
      namespace?: string;
      reconcile?: {
        /** Seconds between passes over every cluster. @default 15 */
        intervalSeconds?: number;
        /** Clusters reconciled at once. @default 50 */
        concurrency?: number;
        /** Upper bound of requests per second against one cluster. @default 25 */
        requestsPerSecondPerCluster?: number;
        /** Cap of the retry delay after a failed step. @default 300 */
        maxBackoffSeconds?: number;
        /** First retry delay after a failed step. @default 5 */
        baseBackoffSeconds?: number;
      };
      /** How long service definitions read from the catalog are reused. @default 30 */
      definitionsCacheSeconds?: number;
    };
  };
}
