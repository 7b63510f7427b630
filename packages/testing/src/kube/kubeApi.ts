import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { InProcessClient } from './client';
import { defaultCrdDir, readCrdFile } from './crds';
import { Faults } from './faults';
import { ReactionHandler, ReactionSelector, Reactions } from './reactions';
import { Registry } from './registry';
import { RequestLog } from './requestLog';
import { createHandler } from './server';
import { Store } from './store';
import { ClientCertificate, generateTls, issueClientCertificate } from './tls';
import { KubeObject } from './types';

/** Options of {@link startKubeApi}. */
export interface KubeApiOptions {
  /** Port on 127.0.0.1 (default 0: a free port). */
  port?: number;
  /** Bearer token clients must send (default: random). */
  token?: string;
  /** CRDs registered at start: manifest objects, YAML strings, or file paths relative to `crdDir`. */
  crds?: Array<KubeObject | string>;
  /** Where relative CRD paths resolve (default `<repo root>/../shared/crds`). */
  crdDir?: string;
  /** Namespaces created at start besides default, kube-system, kube-public, kube-node-lease. */
  namespaces?: string[];
  /** Watch event history length; resuming older resourceVersions yields 410 Gone (default 1000). */
  historySize?: number;
  /** Random source for fault rates (default Math.random), for deterministic tests. */
  random?: () => number;
}

/** Kubeconfig content accepted by `KubeConfig.loadFromOptions` of `@kubernetes/client-node`. */
export interface KubeConfigOptions {
  clusters: {
    name: string;
    server: string;
    caData: string;
    skipTLSVerify: boolean;
  }[];
  users: { name: string; token: string }[];
  contexts: {
    name: string;
    cluster: string;
    user: string;
    namespace?: string;
  }[];
  currentContext: string;
}

/** A running Kubernetes API double. */
export interface KubeApi extends InProcessClient {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Base64 PEM of the CA that signed the serving certificate (kubeconfig `certificate-authority-data`). */
  readonly caData: string;
  /** PEM of the CA. */
  readonly caCert: string;
  /** For `new KubeConfig().loadFromOptions(api.kubeConfig)`. */
  readonly kubeConfig: KubeConfigOptions;
  /** The same kubeconfig as YAML (for kubectl or `loadFromString`). */
  readonly kubeConfigYaml: string;
  /** Directory relative CRD paths resolve against. */
  readonly crdDir: string;
  /** Reads the CRD of a manifest file, e.g. `readCrd('cluster.x-k8s.io/clusters.yaml')` (relative to `crdDir`). */
  readCrd(path: string): KubeObject;
  /**
   * Issues a client certificate the server accepts (common name `user`,
   * organizations `groups`), PEM.
   */
  issueClientCertificate(user: string, groups?: string[]): ClientCertificate;
  /**
   * A kubeconfig (YAML) that authenticates with a fresh client certificate
   * and no token, like the admin kubeconfigs Cluster API writes for AKS.
   */
  clientCertificateKubeConfigYaml(user?: string): string;
  /** Writes the kubeconfig to a file (default: a new temp dir) and returns its path. */
  writeKubeConfig(path?: string): string;
  /**
   * Registers a controller-like callback run after matching writes (after an
   * optional delay). Returns a function that unregisters it.
   */
  react(
    selector: ReactionSelector,
    handler: ReactionHandler<KubeApi>,
  ): () => void;
  /** Resolves when no reaction is pending; rejects with the first reaction error. */
  settle(): Promise<void>;
  /** Injected faults (latency, errors, dropped connections). */
  readonly faults: Faults;
  /** Log of served requests. */
  readonly requests: RequestLog;
  /** Current global resourceVersion. */
  readonly resourceVersion: string;
  /** Drops the watch history and ends open watches: resuming clients get 410 Gone. */
  expireWatchHistory(): void;
  /** Ends every open watch stream normally (clients re-watch). */
  closeWatches(): void;
  /** Stops the server, ends watches and pending reactions. */
  close(): Promise<void>;
}

const DEFAULT_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

/**
 * Starts a Kubernetes API server double on HTTPS 127.0.0.1 with a fresh CA
 * and bearer-token auth. Intended for tests and benchmarks only.
 */
export async function startKubeApi(
  options: KubeApiOptions = {},
): Promise<KubeApi> {
  const tls = generateTls();
  const token = options.token ?? randomBytes(24).toString('hex');
  const registry = new Registry();
  const store = new Store(registry, { historySize: options.historySize });
  const faults = new Faults(options.random);
  const log = new RequestLog();
  const client = new InProcessClient(store, registry);

  for (const ns of [...DEFAULT_NAMESPACES, ...(options.namespaces ?? [])]) {
    client.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
  }
  const crdDir = options.crdDir ?? defaultCrdDir();
  for (const crd of options.crds ?? []) {
    if (typeof crd !== 'string') client.registerCrd(crd);
    else if (/^\s*(apiVersion|kind|---|#|\{)/m.test(crd) && crd.includes('\n'))
      client.registerCrd(crd);
    else readCrdFile(crd, crdDir).forEach(c => client.registerCrd(c));
  }

  let address = '';
  const { handler, closeWatches } = createHandler({
    store,
    registry,
    faults,
    log,
    token,
    serverAddress: () => address,
  });
  // Like a real API server, ask for a client certificate but let requests
  // without one through to the token authenticator.
  const server = createServer(
    {
      key: tls.serverKey,
      cert: tls.serverCert,
      ca: tls.caCert,
      requestCert: true,
      rejectUnauthorized: false,
    },
    handler,
  );
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  address = `127.0.0.1:${port}`;
  const url = `https://${address}`;
  const caData = Buffer.from(tls.caCert).toString('base64');
  const kubeConfig: KubeConfigOptions = {
    clusters: [{ name: 'double', server: url, caData, skipTLSVerify: false }],
    users: [{ name: 'double', token }],
    contexts: [
      {
        name: 'double',
        cluster: 'double',
        user: 'double',
        namespace: 'default',
      },
    ],
    currentContext: 'double',
  };
  const kubeConfigYaml = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'double',
        cluster: { server: url, 'certificate-authority-data': caData },
      },
    ],
    users: [{ name: 'double', user: { token } }],
    contexts: [
      {
        name: 'double',
        context: { cluster: 'double', user: 'double', namespace: 'default' },
      },
    ],
    'current-context': 'double',
  });

  const api = Object.create(client) as KubeApi;
  const reactions = new Reactions<KubeApi>(store, api);
  let closed = false;
  Object.assign(api, {
    url,
    port,
    token,
    caData,
    caCert: tls.caCert,
    kubeConfig,
    kubeConfigYaml,
    crdDir,
    readCrd(path: string) {
      const [crd] = readCrdFile(path, crdDir);
      if (!crd) throw new Error(`no CustomResourceDefinition in ${path}`);
      return crd;
    },
    faults,
    requests: log,
    issueClientCertificate: (user: string, groups?: string[]) =>
      issueClientCertificate(tls, user, groups),
    clientCertificateKubeConfigYaml(user = 'kubernetes-admin') {
      const { cert, key } = issueClientCertificate(tls, user, [
        'system:masters',
      ]);
      const b64 = (pem: string) => Buffer.from(pem).toString('base64');
      return stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'double',
            cluster: { server: url, 'certificate-authority-data': caData },
          },
        ],
        users: [
          {
            name: user,
            user: {
              'client-certificate-data': b64(cert),
              'client-key-data': b64(key),
            },
          },
        ],
        contexts: [{ name: 'double', context: { cluster: 'double', user } }],
        'current-context': 'double',
      });
    },
    writeKubeConfig(path?: string) {
      const target =
        path ?? join(mkdtempSync(join(tmpdir(), 'kube-double-')), 'kubeconfig');
      writeFileSync(target, kubeConfigYaml, { mode: 0o600 });
      return target;
    },
    react: (sel: ReactionSelector, fn: ReactionHandler<KubeApi>) =>
      reactions.add(sel, fn),
    settle: () => reactions.settle(),
    expireWatchHistory() {
      store.compact();
      closeWatches();
    },
    closeWatches,
    async close() {
      if (closed) return;
      closed = true;
      reactions.close();
      closeWatches();
      await new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  });
  Object.defineProperty(api, 'resourceVersion', {
    get: () => store.resourceVersion,
  });
  return api;
}
