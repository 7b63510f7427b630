export interface Config {
  pipelinePortal?: {
    spotguides?: {
      /**
       * Where GitHub delivers a spotguide repository's events: the portal's
       * events endpoint as GitHub reaches it.
       * Default: `${backend.baseUrl}/api/events/http/github`.
       */
      webhookUrl?: string;
    };
  };
  // The webhook secret is Backstage's own `events.modules.github.webhookSecret`
  // (the key the events backend verifies deliveries with); it is required.
}
