/**
 * Kyverno's CRDs (kyverno.io/v1 `Policy` and `ClusterPolicy`, as released),
 * for a double that stands for a workload cluster with Kyverno installed:
 * `startKubeApi({ crds: KYVERNO_CRDS })`. The double then validates every
 * policy against the real schema and refuses (422, naming the field) what
 * Kyverno's API server would refuse, and prunes what it would drop.
 */
export const KYVERNO_CRDS = [
  'kyverno.io/policies.yaml',
  'kyverno.io/clusterpolicies.yaml',
];
