/**
 * Wire-level doubles of the Kubernetes API, GitHub's REST API (with git smart
 * HTTP and webhook delivery) and Vault, for tests and benchmarks. Real clients
 * talk to them over loopback; the product never starts them. Also the
 * Backstage test services the plugins' test backends share (auth with plugin
 * actors, user info with groups) and the wait that lets a test backend with
 * the scaffolder stop cleanly.
 *
 * @packageDocumentation
 */
export * from './kube';
export * from './github';
export * from './vault';
export * from './scaffolder';
export * from './backstage';
