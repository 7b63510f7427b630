/** Types of the spotguides REST API (routes of pluginId `spotguides`). */

/** What the trigger engine made of one GitHub delivery. */
export type DeliveryDecision =
  | 'pending'
  | 'ran'
  | 'duplicate'
  | 'refused'
  | 'no-match'
  | 'needs-approval'
  | 'failed';

/** A PipelineRun the engine created, and where to see it in the portal. */
export interface RunRef {
  name: string;
  namespace: string;
  cluster: string;
  pipeline: string;
  link: string;
}

/** Whether one `.tekton` file would run for an event, and the rule that decided. */
export interface PipelineExplanation {
  /** Repository path, e.g. `.tekton/build.yaml`. */
  file: string;
  /** The pipeline: the file's base name, e.g. `build`. */
  pipeline?: string;
  wouldRun: boolean;
  /** The rule that decided, e.g. `push.branches-ignore: main` or `no push trigger`. */
  rule: string;
  /** Set when the file is broken (YAML error, not a PipelineRun, bad annotation): why. */
  error?: string;
}

/** One GitHub delivery as the engine recorded it. */
export interface Delivery {
  /** The `X-GitHub-Delivery` header. */
  id: string;
  event: string;
  action?: string;
  /** `owner/name`. */
  repository: string;
  ref?: string;
  sha?: string;
  /** ISO timestamp. */
  receivedAt: string;
  decision: DeliveryDecision;
  /** One line for humans. */
  reason: string;
  runs: RunRef[];
  pipelines?: PipelineExplanation[];
}

/** Events the explain route accepts. */
export type ExplainEvent = 'push' | 'pull_request' | 'deployment';

/** Body of `POST /explain`. */
export interface ExplainRequest {
  repository: string;
  sha: string;
  event: ExplainEvent;
  ref?: string;
  action?: string;
  baseRef?: string;
}

/** Answer of `POST /explain`. */
export interface ExplainResponse {
  repository: string;
  sha: string;
  event: ExplainEvent;
  pipelines: PipelineExplanation[];
}

/** Lifecycle of a PipelineRun as the portal shows it. */
export type RunStatus = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** One PipelineRun of a component. */
export interface PipelineRunSummary {
  name: string;
  namespace: string;
  cluster: string;
  pipeline: string;
  status: RunStatus;
  sha: string;
  ref?: string;
  event?: string;
  startedAt?: string;
  completedAt?: string;
  link: string;
}

/** Query of `GET /deliveries`. */
export interface ListDeliveriesRequest {
  /** `owner/name`; all repositories when absent. */
  repository?: string;
  limit?: number;
}

/** Query of `GET /runs`. */
export interface ListRunsRequest {
  entityRef: string;
}

/** A repository bound to the component whose pipelines its events run. */
export interface RepositoryBinding {
  /** `owner/name`, lower case. */
  repository: string;
  /** e.g. `component:default/shop`. */
  entityRef: string;
  /** The owner group the binding was made for. */
  owner: string;
  /** The user who bound it. */
  boundBy: string;
  boundAt: string;
}

/** Body of `PUT /repositories/{owner}/{name}/binding`. */
export interface BindRepositoryRequest {
  /** The component, e.g. `component:default/shop`. */
  entityRef: string;
  /**
   * The owner group; required while the component is not in the catalog yet
   * (a spotguide binds before registering it), else its owner.
   */
  owner?: string;
  /** Checked to be a team namespace of the owner before binding. */
  target?: { cluster: string; namespace: string };
}
