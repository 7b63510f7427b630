export interface Config {
  pipelinePortal?: {
    startup?: {
      /**
       * Seconds a replica may take to start, waiting for other replicas'
       * start-up included; past it the process exits with status 1 so that
       * its supervisor restarts it. Default 180.
       */
      budgetSeconds?: number;
    };
    shutdown?: {
      /**
       * Seconds a replica may take to stop after SIGTERM: scheduled passes
       * and deliveries are handed over first (within 5 s), then open
       * connections get the rest of the budget before the process exits.
       * Default 15.
       */
      budgetSeconds?: number;
    };
  };
}
