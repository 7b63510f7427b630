/**
 * The checks an imported kubeconfig passes before the portal connects: no
 * plugins, file paths, proxies or disabled TLS; well-formed server, trust and
 * credentials; an API server address that is public or admin-allowed.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { isObj, Obj, refuse } from './parse';
import { ALLOWED_CIDRS_CONFIG, KubeconfigPolicy } from './policy';

// Kubeconfig fields that name local files: reading them would disclose the
// portal's own files (or, for exec, run its programs).
const PATH_FIELDS = new Set([
  'tokenFile',
  'client-certificate',
  'client-key',
  'certificate-authority',
]);
const looksLikePathField = (key: string) =>
  PATH_FIELDS.has(key) ||
  /(^|-)(file|path)$/i.test(key) ||
  /[a-z](File|Path)$/.test(key);

/** Refuses plugins, file paths and disabled TLS anywhere in the file. */
export function refuseUnsafeFields(doc: Obj) {
  const lists = [
    ['clusters', 'cluster'],
    ['users', 'user'],
  ] as const;
  for (const [listName, bodyKey] of lists) {
    const list = doc[listName];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) refuse(listName, 'must be a list');
    (list as unknown[]).forEach((entry, i) => {
      const at = `${listName}[${i}]`;
      if (!isObj(entry)) return refuse(at, 'must be a mapping');
      const body = entry[bodyKey];
      if (body === undefined) return undefined;
      if (!isObj(body)) return refuse(`${at}.${bodyKey}`, 'must be a mapping');
      for (const key of Object.keys(body)) {
        const field = `${at}.${bodyKey}.${key}`;
        if (key === 'exec') {
          refuse(field, 'exec credential plugins are not allowed');
        }
        if (key === 'auth-provider') {
          refuse(field, 'auth-provider plugins are not allowed');
        }
        if (looksLikePathField(key)) {
          refuse(
            field,
            'file paths are not allowed; embed the content (the *-data fields or token)',
          );
        }
        if (key === 'insecure-skip-tls-verify' && body[key] === true) {
          refuse(field, 'TLS verification cannot be disabled');
        }
        if (key === 'proxy-url') {
          refuse(field, 'proxies are not allowed');
        }
      }
      return undefined;
    });
  }
}

const PEM_KIND = {
  cert: /-----BEGIN CERTIFICATE-----/,
  key: /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/,
};

function decodePem(
  value: unknown,
  field: string,
  kind: keyof typeof PEM_KIND,
): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/=\s]+$/.test(value)) {
    return refuse(field, 'must be base64-encoded PEM');
  }
  const pem = Buffer.from(value, 'base64').toString('utf8');
  if (!PEM_KIND[kind].test(pem)) {
    return refuse(
      field,
      `must be base64-encoded PEM ${
        kind === 'cert' ? 'certificates' : 'private key'
      }`,
    );
  }
  return pem;
}

/** A single-line printable string (it becomes an HTTP header). */
function credentialString(value: unknown, field: string): string {
  if (typeof value !== 'string' || !value) {
    return refuse(field, 'must be a non-empty string');
  }
  if (!/^[\x21-\x7e]+$/.test(value)) {
    return refuse(field, 'must be printable ASCII without spaces');
  }
  return value;
}

export type AddressCheck = { address: string; family: 4 | 6 };

const BLOCKED_RANGES: Record<string, string> = {
  unspecified: 'an unspecified',
  loopback: 'a loopback',
  linkLocal: 'a link-local',
  private: 'a private',
  carrierGradeNat: 'a carrier-grade NAT',
  uniqueLocal: 'a private (unique local)',
  broadcast: 'a broadcast',
  multicast: 'a multicast',
  reserved: 'a reserved',
};

/**
 * Why an address may not be an API server, or undefined when it may: any
 * non-public range (loopback, link-local incl. cloud metadata, private,
 * CGNAT, unique local incl. fd00:ec2::254) unless an admin allowed it.
 */
export function blockedReason(
  address: string,
  allowedCidrs: string[],
): string | undefined {
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 it carries.
  const ip = ipaddr.process(address);
  for (const cidr of allowedCidrs) {
    const range = ipaddr.parseCIDR(cidr);
    if (range[0].kind() === ip.kind() && ip.match(range)) return undefined;
  }
  const range = ip.range();
  if (range === 'unicast') return undefined;
  const what = BLOCKED_RANGES[range] ?? `a special-purpose (${range})`;
  return `${what} address`;
}

export async function resolveServer(
  server: URL,
  field: string,
  policy: KubeconfigPolicy,
  lookup: (host: string) => Promise<{ address: string; family: number }[]>,
): Promise<AddressCheck> {
  const host = server.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await lookup(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'lookup failed';
      return refuse(field, `host ${host} does not resolve (${code})`);
    }
    if (!addresses.length) {
      return refuse(field, `host ${host} does not resolve`);
    }
  }
  for (const { address } of addresses) {
    if (!ipaddr.isValid(address)) {
      return refuse(field, `host ${host} resolves to an invalid address`);
    }
    const reason = blockedReason(address, policy.allowedCidrs);
    if (reason) {
      const subject =
        address === host
          ? `${address} is`
          : `host ${host} resolves to ${address},`;
      return refuse(
        field,
        `${subject} ${reason}, which is not allowed for an API server (an admin may allow ranges in ${ALLOWED_CIDRS_CONFIG})`,
      );
    }
  }
  const first = addresses[0];
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** The API server of the chosen cluster entry, and how to trust it. */
export interface CheckedServer {
  server: URL;
  /** Where `server` stands in the file, for refusals. */
  field: string;
  /** `certificate-authority-data` as given (base64). */
  caData?: string;
  /** The decoded PEM CA bundle. */
  ca?: string;
  /** Name the serving certificate must match. */
  verifyName: string;
}

export function checkServer(cluster: Obj, clusterAt: string): CheckedServer {
  const field = `${clusterAt}.server`;
  const rawServer = cluster.server;
  if (typeof rawServer !== 'string' || !rawServer.trim()) {
    refuse(field, 'is required');
  }
  let server: URL;
  try {
    server = new URL((rawServer as string).trim());
  } catch {
    return refuse(field, 'must be an https:// URL');
  }
  if (server.protocol !== 'https:') {
    refuse(field, 'must be an https:// URL');
  }
  if (server.username || server.password) {
    refuse(field, 'must not embed credentials');
  }
  if (server.search || server.hash) {
    refuse(field, 'must not have a query or fragment');
  }

  const caData = cluster['certificate-authority-data'];
  const ca =
    caData === undefined
      ? undefined
      : decodePem(caData, `${clusterAt}.certificate-authority-data`, 'cert');
  const tlsServerName = cluster['tls-server-name'];
  if (tlsServerName !== undefined && typeof tlsServerName !== 'string') {
    refuse(`${clusterAt}.tls-server-name`, 'must be a string');
  }
  return {
    server,
    field,
    ...(caData !== undefined ? { caData: caData as string } : {}),
    ca,
    verifyName:
      (tlsServerName as string | undefined) ??
      server.hostname.replace(/^\[(.*)\]$/, '$1'),
  };
}

/** What the portal keeps of the user entry, and how the probe presents it. */
export interface CheckedCredentials {
  user: {
    token?: string;
    /** Base64 PEM, as in `client-certificate-data`. */
    clientCertificateData?: string;
    /** Base64 PEM, as in `client-key-data`. */
    clientKeyData?: string;
    username?: string;
    password?: string;
  };
  authorization?: string;
  /** Decoded PEM client certificate and key. */
  cert?: string;
  key?: string;
}

export function checkCredentials(u: Obj, userAt: string): CheckedCredentials {
  const user: CheckedCredentials['user'] = {};
  let authorization: string | undefined;
  if (u.token !== undefined) {
    user.token = credentialString(u.token, `${userAt}.token`);
    authorization = `Bearer ${user.token}`;
  }
  let cert: string | undefined;
  let key: string | undefined;
  const certData = u['client-certificate-data'];
  const keyData = u['client-key-data'];
  if (certData !== undefined || keyData !== undefined) {
    if (certData === undefined) {
      refuse(
        `${userAt}.client-certificate-data`,
        'is required with client-key-data',
      );
    }
    if (keyData === undefined) {
      refuse(
        `${userAt}.client-key-data`,
        'is required with client-certificate-data',
      );
    }
    cert = decodePem(certData, `${userAt}.client-certificate-data`, 'cert');
    key = decodePem(keyData, `${userAt}.client-key-data`, 'key');
    user.clientCertificateData = certData as string;
    user.clientKeyData = keyData as string;
  }
  if (u.username !== undefined || u.password !== undefined) {
    const username = credentialString(u.username, `${userAt}.username`);
    if (typeof u.password !== 'string' || !u.password) {
      refuse(`${userAt}.password`, 'is required with username');
    }
    user.username = username;
    user.password = u.password as string;
    authorization ??= `Basic ${Buffer.from(
      `${username}:${user.password}`,
    ).toString('base64')}`;
  }
  if (!authorization && !cert) {
    refuse(
      userAt,
      'has no credentials: a token, client-certificate-data with client-key-data, or username with password is required',
    );
  }
  return { user, authorization, cert, key };
}
