import { request as httpsRequest } from 'node:https';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { KubeApi, KubeApiOptions, startKubeApi } from '../index';

// Suites start HTTPS servers (RSA key generation) and child processes: leave
// headroom for loaded CI machines.
jest.setTimeout(30_000);

/** Real `@kubernetes/client-node` clients pointed at a running double. */
export interface Clients {
  api: KubeApi;
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  rbac: RbacAuthorizationV1Api;
  custom: CustomObjectsApi;
  objects: KubernetesObjectApi;
}

export function kubeConfigFor(api: KubeApi, token = api.token): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({ ...api.kubeConfig, users: [{ name: 'double', token }] });
  return kc;
}

export async function startWithClients(
  options?: KubeApiOptions,
): Promise<Clients> {
  const api = await startKubeApi(options);
  const kc = kubeConfigFor(api);
  return {
    api,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    rbac: kc.makeApiClient(RbacAuthorizationV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

/** The error a client call fails with, with its parsed `Status` body. */
export async function failure(
  p: Promise<unknown>,
): Promise<{ code: number; status: any; headers: Record<string, string> }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiException) {
      const body =
        typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
      return { code: err.code, status: body, headers: err.headers };
    }
    throw err;
  }
  throw new Error('expected the call to fail');
}

export const delay = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Polls until `fn` returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(
  fn: () => T | undefined | false,
  // Generous: conditions usually hold within milliseconds, but a loaded CI
  // machine can delay a relist or a watch event by seconds.
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await delay(10);
  }
}

/** A raw HTTPS request to the double (TLS verified against its CA). */
export function raw(
  api: KubeApi,
  method: string,
  path: string,
  opts: {
    token?: string | null;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? api.token : opts.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (typeof opts.body === 'string') payload = opts.body;
    else if (opts.body !== undefined) payload = JSON.stringify(opts.body);
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const req = httpsRequest(
      `${api.url}${path}`,
      { method, headers, ca: api.caCert },
      res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', c => (text += c));
        res.on('end', () => {
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
