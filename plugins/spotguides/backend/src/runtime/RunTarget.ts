/** Where a run goes: a team namespace on a runtime cluster. */
export interface RunTarget {
  cluster: string;
  namespace: string;
}
