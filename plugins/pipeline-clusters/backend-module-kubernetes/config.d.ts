export interface Config {
  pipelinePortal?: {
    clusters?: {
      /** The Kubernetes plugin's supplier of portal clusters. */
      kubernetesSupplier?: {
        /**
         * Seconds between background reloads of the cluster list and access
         * tokens. Defaults to 30.
         */
        refreshIntervalSeconds?: number;
      };
    };
  };
}
