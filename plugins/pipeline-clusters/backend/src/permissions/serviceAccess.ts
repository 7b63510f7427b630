import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { NotAllowedError } from '@backstage/errors';

export const SERVICE_ACCESS_CONFIG = 'pipelinePortal.clusters.serviceAccess';

/**
 * What a service-to-service route hands out, each to its own list of plugins:
 * - `clusterAccess`: a cluster's API server and the portal's credential for
 *   it (`GET /clusters/{name}/access`); also lets a plugin read the
 *   kubeconfig, which holds the same credential
 *   (`GET /clusters/{name}/kubeconfig`), and one team namespace
 *   (`GET /clusters/{name}/namespaces/{namespace}`);
 * - `clusterCertificateAuthority`: the same route answered with the API
 *   server and its CA only, never a credential (the catalog's cluster
 *   entities carry the CA);
 * - `credentialValue`: a cloud credential's value
 *   (`GET /credentials/{owner}/{name}/value`).
 */
export type ServiceGrant =
  | 'clusterAccess'
  | 'clusterCertificateAuthority'
  | 'credentialValue';

/** The plugins each grant goes to when config does not say otherwise. */
export const DEFAULT_SERVICE_ACCESS: Record<ServiceGrant, readonly string[]> = {
  // The Kubernetes plugin's cluster supplier, the spotguides runs, the
  // integrated services' reconciler.
  clusterAccess: ['kubernetes', 'spotguides', 'integrated-services'],
  // The catalog's cluster entity provider needs the CA, not the token.
  clusterCertificateAuthority: ['catalog'],
  // The integrated services hand a cloud credential to what they install.
  credentialValue: ['integrated-services'],
};

const WHAT: Record<ServiceGrant, string> = {
  clusterAccess: "read a cluster's team namespaces",
  clusterCertificateAuthority: "read a cluster's certificate authority",
  credentialValue: "read a credential's value",
};

/** A Backstage plugin id, as in a service principal's `plugin:<id>`. */
const PLUGIN_ID = /^[a-z0-9][a-z0-9_-]{0,99}$/i;

/** The plugin id of a service principal (`plugin:<id>`), else undefined. */
export function callingPlugin(
  credentials: BackstageCredentials,
): string | undefined {
  const principal = credentials.principal as {
    type?: string;
    subject?: string;
  };
  if (principal?.type !== 'service') return undefined;
  const match = /^plugin:(.+)$/.exec(principal.subject ?? '');
  return match?.[1];
}

/**
 * Which backend plugins may call the service-to-service routes, from
 * `pipelinePortal.clusters.serviceAccess` (defaults above). Any other
 * caller gets 403 before anything is read.
 */
export class ServiceAccess {
  static fromConfig(config: Config): ServiceAccess {
    const lists = {} as Record<ServiceGrant, ReadonlySet<string>>;
    for (const grant of Object.keys(DEFAULT_SERVICE_ACCESS) as ServiceGrant[]) {
      const key = `${SERVICE_ACCESS_CONFIG}.${grant}`;
      const ids =
        config.getOptionalStringArray(key) ?? DEFAULT_SERVICE_ACCESS[grant];
      ids.forEach((id, index) => {
        if (!PLUGIN_ID.test(id)) {
          throw new Error(
            `${key}[${index}]: "${id}" is not a plugin id such as integrated-services (a service token's subject is plugin:<id>; write only the id)`,
          );
        }
      });
      lists[grant] = new Set(ids);
    }
    return new ServiceAccess(lists);
  }

  private constructor(
    private readonly lists: Record<ServiceGrant, ReadonlySet<string>>,
  ) {}

  /** Whether the caller is a plugin on the grant's list. */
  allows(credentials: BackstageCredentials, grant: ServiceGrant): boolean {
    const plugin = callingPlugin(credentials);
    return plugin !== undefined && this.lists[grant].has(plugin);
  }

  /**
   * The calling plugin's id; NotAllowedError unless it is on the list. `what`
   * names the refused action in the message (the grant's by default).
   */
  require(
    credentials: BackstageCredentials,
    grant: ServiceGrant,
    what = WHAT[grant],
  ): string {
    const plugin = callingPlugin(credentials);
    if (plugin === undefined || !this.lists[grant].has(plugin)) {
      const who = plugin ? `plugin ${plugin}` : 'this service';
      throw new NotAllowedError(
        `${who} may not ${what}: only ${
          [...this.lists[grant]].join(', ') || 'no plugin'
        } (${SERVICE_ACCESS_CONFIG}.${grant})`,
      );
    }
    return plugin;
  }

  /**
   * Refuses (403) a plugin that may not call an operation of the REST API:
   * the service-to-service routes each have their list; other operations
   * are left to the permission framework.
   */
  requireFor(operationId: string, credentials: BackstageCredentials): void {
    if (operationId === 'getClusterAccess') {
      this.clusterAccessLevel(credentials);
    } else if (operationId === 'getCredentialValue') {
      this.require(credentials, 'credentialValue');
    } else if (
      (credentials.principal as { type?: string }).type !== 'service'
    ) {
      // Users are left to the permission framework.
    } else if (operationId === 'getNamespace') {
      // Users are asked cluster.read; plugins must be able to reach clusters.
      this.require(credentials, 'clusterAccess');
    } else if (operationId === 'getKubeconfig') {
      // The kubeconfig holds the cluster's credential: a plugin gets it only
      // if it may read the same from the access route.
      this.require(credentials, 'clusterAccess', "read a cluster's kubeconfig");
    }
  }

  /**
   * How much of a cluster's access the caller gets: `full` for the
   * clusterAccess list, `ca` for the certificate authority list; 403
   * otherwise.
   */
  clusterAccessLevel(credentials: BackstageCredentials): 'full' | 'ca' {
    if (this.allows(credentials, 'clusterAccess')) return 'full';
    if (this.allows(credentials, 'clusterCertificateAuthority')) return 'ca';
    const plugin = callingPlugin(credentials);
    const list = (grant: ServiceGrant) =>
      [...this.lists[grant]].join(', ') || 'no plugin';
    throw new NotAllowedError(
      `${
        plugin ? `plugin ${plugin}` : 'this service'
      } may not read a cluster's access: only ${list(
        'clusterAccess',
      )} (${SERVICE_ACCESS_CONFIG}.clusterAccess), or its certificate authority only ${list(
        'clusterCertificateAuthority',
      )} (${SERVICE_ACCESS_CONFIG}.clusterCertificateAuthority)`,
    );
  }
}
