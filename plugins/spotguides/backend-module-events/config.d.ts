export interface Config {
  pipelinePortal?: {
    events?: {
      /**
       * Event topics that stay in the replica that received them instead of
       * also going through the events backend's bus, each with its subtopics
       * (`github` covers `github.push`). Default: [github] (the trigger engine
       * queues GitHub deliveries in the shared database).
       */
      localTopics?: string[];
    };
  };
}
