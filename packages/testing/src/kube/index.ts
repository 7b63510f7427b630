/**
 * Wire-level double of the Kubernetes API server, for tests and benchmarks.
 *
 * @packageDocumentation
 */
export { startKubeApi } from './kubeApi';
export type { KubeApi, KubeApiOptions, KubeConfigOptions } from './kubeApi';
export { InProcessClient } from './client';
export type { ObjectRef } from './client';
export {
  defaultCrdDir,
  readCrdFile,
  parseManifests,
  listManifestFiles,
} from './crds';
export { Faults } from './faults';
export type { FaultRule, FaultHandle } from './faults';
export { RequestLog } from './requestLog';
export type { RequestRecord, RequestFilter } from './requestLog';
export type {
  ReactionSelector,
  ReactionHandler,
  ReactionTrigger,
  ReactionContext,
} from './reactions';
export { KubeApiError } from './status';
export type { KubeStatus, StatusCause, StatusDetails } from './status';
export type { DeleteOptions, PropagationPolicy } from './store';
export type {
  KubeObject,
  ObjectMeta,
  OwnerReference,
  ManagedFieldsEntry,
} from './types';
export { SERVER_VERSION } from './discovery';
export { playFlux, FLUX_CRDS } from './flux';
export type { FluxDouble, FluxReleaseMatch, PlayFluxOptions } from './flux';
export { playJobs } from './jobs';
export type { JobsDouble } from './jobs';
export { playTekton, TEKTON_CRDS } from './tekton';
export { KYVERNO_CRDS } from './kyverno';
export type { TektonDouble, TektonRunMatch, PlayTektonOptions } from './tekton';
export type { ClientCertificate } from './tls';
