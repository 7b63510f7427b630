import { lookup as dnsLookup } from 'node:dns/promises';
import {
  CheckedCredentials,
  checkCredentials,
  checkServer,
  refuseUnsafeFields,
  resolveServer,
} from './checks';
import { parseDocument, selectEntries } from './parse';
import { KubeconfigPolicy } from './policy';
import { KubeVersion, probeVersion, VersionProbe } from './probe';

export { MAX_KUBECONFIG_BYTES } from './parse';
export { blockedReason } from './checks';
export {
  ALLOWED_CIDRS_CONFIG,
  PROBE_TIMEOUT_CONFIG,
  readKubeconfigPolicy,
} from './policy';
export type { KubeconfigPolicy } from './policy';
export { probeVersion } from './probe';
export type { KubeVersion, VersionProbe } from './probe';

/** The parts of an imported kubeconfig the portal keeps, once verified. */
export interface AcceptedKubeconfig {
  server: string;
  /** Base64 PEM, as in `certificate-authority-data`. */
  caData?: string;
  user: CheckedCredentials['user'];
  context: string;
  version: KubeVersion;
}

export interface AcceptKubeconfigDeps {
  lookup?: (host: string) => Promise<{ address: string; family: number }[]>;
  fetchVersion?: (probe: VersionProbe) => Promise<KubeVersion>;
}

const defaultLookup = async (host: string) =>
  dnsLookup(host, { all: true, verbatim: true });

/**
 * Verifies an imported kubeconfig, which is untrusted input: refuses
 * anything that would make the portal run programs, read its own files,
 * skip TLS verification or reach internal addresses, then proves the
 * credentials work with GET /version. Refusals are InputErrors naming the
 * field at fault and never quoting secret values.
 */
export async function acceptKubeconfig(
  text: string,
  policy: KubeconfigPolicy,
  deps: AcceptKubeconfigDeps = {},
): Promise<AcceptedKubeconfig> {
  const doc = parseDocument(text);
  refuseUnsafeFields(doc);
  const entries = selectEntries(doc);
  const server = checkServer(entries.cluster, entries.clusterAt);
  const credentials = checkCredentials(entries.user, entries.userAt);

  // Network: validate every address, then connect only to a validated one.
  const { address, family } = await resolveServer(
    server.server,
    server.field,
    policy,
    deps.lookup ?? defaultLookup,
  );
  const version = await (deps.fetchVersion ?? probeVersion)({
    server: server.server,
    address,
    family,
    verifyName: server.verifyName,
    ca: server.ca,
    cert: credentials.cert,
    key: credentials.key,
    authorization: credentials.authorization,
    timeoutMs: policy.probeTimeoutMs,
    field: server.field,
  });

  const url = server.server;
  return {
    server: `${url.origin}${url.pathname.replace(/\/+$/, '')}`,
    ...(server.caData !== undefined ? { caData: server.caData } : {}),
    user: credentials.user,
    context: entries.context,
    version,
  };
}
