/** Inputs of the pure trigger core (no I/O), used by the engine and by `/explain`. */

/** The GitHub event a pipeline's `on:` annotation is matched against. */
export interface TriggerEvent {
  name: 'push' | 'pull_request' | 'deployment';
  /** pull_request activity type: opened, synchronize, reopened, closed... */
  action?: string;
  /** push: `refs/heads/main` or `refs/tags/v1.2.3`; deployment: its ref. */
  ref?: string;
  /** pull_request: the target branch name (`main`). */
  baseRef?: string;
  /** push/pull_request; undefined means unknown, and path filters then match. */
  changedFiles?: string[];
  /** Head commit message, for `[skip ci]`, `[ci skip]`, `[no ci]`, `[skip actions]`... */
  message?: string;
}

/** One file of a repository's `.tekton/` folder. */
export interface PipelineFile {
  /** Repository path, e.g. `.tekton/build.yaml`. */
  path: string;
  content: string;
}

/** What a rendered PipelineRun is for: the repository, commit and event. */
export interface RunContext {
  repoUrl: string;
  repoOwner: string;
  repoName: string;
  /** The commit sha. */
  revision: string;
  branch?: string;
  tag?: string;
  event: string;
  pullRequest?: number;
  environment?: string;
  deploymentId?: number;
}
