import { Config } from '@backstage/config';
import ipaddr from 'ipaddr.js';

export const NAMESPACES_CONFIG = 'pipelinePortal.clusters.namespaces';

/**
 * The clouds' instance metadata services, which hand out the node's own
 * credentials: never reachable from a team namespace. AWS, Azure, GCP, OCI
 * and DigitalOcean answer on 169.254.169.254 (AWS also on fd00:ec2::254),
 * Alibaba Cloud on 100.100.100.200.
 */
export const CLOUD_METADATA_CIDRS = [
  '169.254.169.254/32',
  'fd00:ec2::254/128',
  '100.100.100.200/32',
] as const;

export type EgressProtocol = 'TCP' | 'UDP' | 'SCTP';

/** A destination team namespaces may reach, as an egress rule's `to` and `ports`. */
export interface EgressDestination {
  cidr: string;
  /** The metadata addresses inside `cidr`, cut out of it. */
  except?: string[];
  /** Every port when absent. */
  ports?: Array<{ port: number; protocol: EgressProtocol }>;
}

/**
 * Who, beside the ClusterRole `cluster-admin` and the control plane, may
 * change what the portal renders in team namespaces: an RBAC subject as
 * Kyverno's `exclude.any[].subjects` reads it.
 */
export interface GuardianSubject {
  kind: 'User' | 'Group' | 'ServiceAccount';
  name: string;
  /** Only for `ServiceAccount`, and required there. */
  namespace?: string;
}

/** What the portal's config adds to every team namespace it renders. */
export interface TeamNamespaceSettings {
  /** Egress beside DNS and the namespace itself; default none. */
  egressAllow: EgressDestination[];
  /** Registries every image must come from; empty: any registry. */
  allowedRegistries: string[];
  /** Whether Services of type LoadBalancer are allowed; default false. */
  allowLoadBalancerServices: boolean;
  /** Subjects the cluster guard lets through; default none. */
  guardianSubjects: GuardianSubject[];
}

export const DEFAULT_TEAM_NAMESPACE_SETTINGS: TeamNamespaceSettings = {
  egressAllow: [],
  allowedRegistries: [],
  allowLoadBalancerServices: false,
  guardianSubjects: [],
};

const PROTOCOLS: readonly EgressProtocol[] = ['TCP', 'UDP', 'SCTP'];

/**
 * An egress destination from a CIDR: canonical, and with the cloud metadata
 * addresses it contains cut out (`ipBlock.except`). A CIDR that is nothing
 * but a metadata address is refused. Errors name `at`, the config key.
 */
export function egressDestination(
  cidr: string,
  ports: EgressDestination['ports'],
  at: string,
): EgressDestination {
  if (!ipaddr.isValidCIDR(cidr)) {
    throw new Error(
      `${at}.cidr: "${cidr}" is not a CIDR such as 10.20.0.0/16 or 2001:db8::/32`,
    );
  }
  const [address, bits] = ipaddr.parseCIDR(cidr);
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(cidr)
      : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  const canonical = `${network.toString()}/${bits}`;
  if (network.toString() !== address.toString()) {
    throw new Error(
      `${at}.cidr: "${cidr}" has host bits set: write ${canonical}`,
    );
  }
  const except: string[] = [];
  for (const metadata of CLOUD_METADATA_CIDRS) {
    const [metadataAddress, metadataBits] = ipaddr.parseCIDR(metadata);
    if (metadataAddress.kind() !== address.kind()) continue;
    if (!metadataAddress.match([address, bits] as any)) continue;
    if (bits >= metadataBits) {
      throw new Error(
        `${at}.cidr: "${cidr}" is the cloud metadata address ${metadata}, which team namespaces never reach`,
      );
    }
    except.push(metadata);
  }
  return {
    cidr: canonical,
    ...(except.length ? { except } : {}),
    ...(ports?.length ? { ports } : {}),
  };
}

function readPorts(entry: Config, at: string): EgressDestination['ports'] {
  const ports = entry.getOptionalConfigArray('ports');
  return ports?.map((p, j) => {
    const where = `${at}.ports[${j}]`;
    const port = p.getOptionalNumber('port');
    if (
      port === undefined ||
      !Number.isInteger(port) ||
      port < 1 ||
      port > 65535
    ) {
      throw new Error(`${where}.port: must be a port number from 1 to 65535`);
    }
    const protocol = (p.getOptionalString('protocol') ?? 'TCP').toUpperCase();
    if (!PROTOCOLS.includes(protocol as EgressProtocol)) {
      throw new Error(
        `${where}.protocol: must be one of ${PROTOCOLS.join(
          ', ',
        )}, not "${protocol}"`,
      );
    }
    return { port, protocol: protocol as EgressProtocol };
  });
}

const SUBJECT_KINDS: readonly GuardianSubject['kind'][] = [
  'User',
  'Group',
  'ServiceAccount',
];

/**
 * Groups every user or every service account is in: as guardians they
 * would let team members and pipelines through the guard.
 */
const EVERYONE_GROUPS = [
  'system:authenticated',
  'system:unauthenticated',
  'system:serviceaccounts',
];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function readGuardianSubject(entry: Config, at: string): GuardianSubject {
  const kind = entry.getOptionalString('kind');
  if (!kind || !SUBJECT_KINDS.includes(kind as GuardianSubject['kind'])) {
    throw new Error(
      `${at}.kind: must be one of ${SUBJECT_KINDS.join(', ')}${
        kind ? `, not "${kind}"` : ''
      }`,
    );
  }
  const name = entry.getOptionalString('name')?.trim();
  if (!name) throw new Error(`${at}.name: is required`);
  // Kyverno matches subject names with wildcards: one would let anyone in.
  if (/[*?]/.test(name)) {
    throw new Error(`${at}.name: "${name}" may not hold * or ?`);
  }
  if (kind === 'Group' && EVERYONE_GROUPS.includes(name)) {
    throw new Error(
      `${at}.name: "${name}" holds every user or service account, team members and pipelines included`,
    );
  }
  const namespace = entry.getOptionalString('namespace')?.trim();
  if (kind !== 'ServiceAccount') {
    if (namespace !== undefined) {
      throw new Error(
        `${at}.namespace: only a ServiceAccount has a namespace; write the full user name instead`,
      );
    }
    return { kind: kind as GuardianSubject['kind'], name };
  }
  if (!namespace || !DNS_LABEL.test(namespace)) {
    throw new Error(
      `${at}.namespace: a ServiceAccount needs its namespace (an RFC 1123 label)${
        namespace ? `, not "${namespace}"` : ''
      }`,
    );
  }
  if (!DNS_SUBDOMAIN.test(name)) {
    throw new Error(
      `${at}.name: "${name}" is not a ServiceAccount name (an RFC 1123 subdomain)`,
    );
  }
  return { kind: 'ServiceAccount', name, namespace };
}

/** A registry host with an optional port and path: no pattern characters. */
const REGISTRY = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

/**
 * Reads `pipelinePortal.clusters.namespaces`. Errors stop the backend at
 * start-up, naming the key at fault.
 */
export function readTeamNamespaceSettings(
  config: Config,
): TeamNamespaceSettings {
  const root = config.getOptionalConfig(NAMESPACES_CONFIG);
  if (!root) return DEFAULT_TEAM_NAMESPACE_SETTINGS;
  const allowKey = `${NAMESPACES_CONFIG}.egress.allow`;
  const egressAllow = (root.getOptionalConfigArray('egress.allow') ?? []).map(
    (entry, i) => {
      const at = `${allowKey}[${i}]`;
      const cidr = entry.getOptionalString('cidr');
      if (!cidr) throw new Error(`${at}.cidr: is required`);
      return egressDestination(cidr.trim(), readPorts(entry, at), at);
    },
  );
  const registriesKey = `${NAMESPACES_CONFIG}.allowedRegistries`;
  const allowedRegistries = (
    root.getOptionalStringArray('allowedRegistries') ?? []
  ).map((registry, i) => {
    const trimmed = registry.trim().replace(/\/+$/, '');
    if (!REGISTRY.test(trimmed) || trimmed.length > 253) {
      throw new Error(
        `${registriesKey}[${i}]: "${registry}" is not a registry such as ghcr.io or registry.example.com:5000/team (no wildcards)`,
      );
    }
    return trimmed;
  });
  const subjectsKey = `${NAMESPACES_CONFIG}.guardianSubjects`;
  const guardianSubjects = (
    root.getOptionalConfigArray('guardianSubjects') ?? []
  ).map((entry, i) => readGuardianSubject(entry, `${subjectsKey}[${i}]`));
  return {
    egressAllow,
    allowedRegistries,
    allowLoadBalancerServices:
      root.getOptionalBoolean('allowLoadBalancerServices') ?? false,
    guardianSubjects,
  };
}
