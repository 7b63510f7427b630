/**
 * The service account of a team namespace that the portal's PipelineRuns
 * run as: the namespace renders it, and the spotguides engine refuses a run
 * that names any other.
 */
export const PIPELINE_SERVICE_ACCOUNT = 'pipeline';
