import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { lookup as dnsLookup } from 'node:dns/promises';
import { ClientRequest } from 'node:http';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, PeerCertificate } from 'node:tls';
import ipaddr from 'ipaddr.js';
import { parse, YAMLParseError } from 'yaml';

export const ALLOWED_CIDRS_CONFIG =
  'pipelinePortal.clusters.import.allowedCidrs';
export const PROBE_TIMEOUT_CONFIG =
  'pipelinePortal.clusters.import.probeTimeoutMs';

export interface KubeconfigPolicy {
  /** Admin-allowed private or loopback ranges (CIDR); default none. */
  allowedCidrs: string[];
  /** Deadline of the `/version` probe (default 5000). */
  probeTimeoutMs: number;
}

export interface KubeVersion {
  major: string;
  minor: string;
  gitVersion: string;
}

/** The parts of an imported kubeconfig the portal keeps, once verified. */
export interface AcceptedKubeconfig {
  server: string;
  /** Base64 PEM, as in `certificate-authority-data`. */
  caData?: string;
  user: {
    token?: string;
    /** Base64 PEM, as in `client-certificate-data`. */
    clientCertificateData?: string;
    /** Base64 PEM, as in `client-key-data`. */
    clientKeyData?: string;
    username?: string;
    password?: string;
  };
  context: string;
  version: KubeVersion;
}

/** Everything the `/version` probe needs; the address is the one validated. */
export interface VersionProbe {
  /** The server URL, for the request path and Host header. */
  server: URL;
  /** The validated IP to connect to (never resolved again). */
  address: string;
  family: 4 | 6;
  /** Name the serving certificate must match. */
  verifyName: string;
  /** PEM CA bundle; the system CAs when absent. */
  ca?: string;
  cert?: string;
  key?: string;
  authorization?: string;
  timeoutMs: number;
  /** The field to name in refusals, e.g. `clusters[0].cluster.server`. */
  field: string;
}

export interface AcceptKubeconfigDeps {
  lookup?: (host: string) => Promise<{ address: string; family: number }[]>;
  fetchVersion?: (probe: VersionProbe) => Promise<KubeVersion>;
}

/** Reads the import policy from config, naming the key at fault. */
export function readKubeconfigPolicy(config: Config): KubeconfigPolicy {
  const allowedCidrs =
    config.getOptionalStringArray(ALLOWED_CIDRS_CONFIG) ?? [];
  allowedCidrs.forEach((cidr, i) => {
    if (!ipaddr.isValidCIDR(cidr)) {
      throw new Error(
        `${ALLOWED_CIDRS_CONFIG}[${i}] must be a CIDR such as 10.0.0.0/8 or fd00::/8`,
      );
    }
  });
  const probeTimeoutMs = config.getOptionalNumber(PROBE_TIMEOUT_CONFIG) ?? 5000;
  if (!(probeTimeoutMs > 0)) {
    throw new Error(`${PROBE_TIMEOUT_CONFIG} must be a positive number`);
  }
  return { allowedCidrs, probeTimeoutMs };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function refuse(field: string, why: string): never {
  throw new InputError(`${field}: ${why}`);
}

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

interface Named {
  index: number;
  body: Obj;
}

/** Finds the entry called `name` in a named list, refusing duplicates. */
function findNamed(
  list: unknown,
  listName: string,
  bodyKey: string,
  name: string,
  from: string,
): Named {
  const entries = Array.isArray(list) ? list : [];
  const matches = entries
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => isObj(entry) && entry.name === name);
  if (!matches.length) {
    return refuse(from, `"${name}" is not defined in ${listName}`);
  }
  if (matches.length > 1) {
    return refuse(
      `${listName}[${matches[1].index}].name`,
      `"${name}" is defined more than once`,
    );
  }
  const { entry, index } = matches[0];
  const body = (entry as Obj)[bodyKey];
  if (!isObj(body)) {
    return refuse(`${listName}[${index}].${bodyKey}`, 'must be a mapping');
  }
  return { index, body };
}

/** Refuses plugins, file paths and disabled TLS anywhere in the file. */
function refuseUnsafeFields(doc: Obj) {
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

function parseDocument(text: string): Obj {
  if (typeof text !== 'string' || !text.trim()) {
    return refuse('kubeconfig', 'is empty');
  }
  let doc: unknown;
  try {
    // YAML 1.2 is a superset of JSON; aliases are capped against expansion bombs.
    doc = parse(text, { maxAliasCount: 50 });
  } catch (error) {
    // The parser's message quotes the offending line: report its position only.
    const pos =
      error instanceof YAMLParseError && error.linePos
        ? ` (line ${error.linePos[0].line}, column ${error.linePos[0].col})`
        : '';
    return refuse('kubeconfig', `is not valid YAML or JSON${pos}`);
  }
  if (!isObj(doc)) return refuse('kubeconfig', 'must be a mapping');
  if (doc.kind !== undefined && doc.kind !== 'Config') {
    return refuse('kind', 'must be Config');
  }
  return doc;
}

function chooseContext(doc: Obj): { name: string; index: number; body: Obj } {
  const contexts = doc.contexts;
  if (contexts !== undefined && contexts !== null && !Array.isArray(contexts)) {
    return refuse('contexts', 'must be a list');
  }
  const list = (contexts ?? []) as unknown[];
  const current = doc['current-context'];
  let name: string;
  if (typeof current === 'string' && current) {
    name = current;
  } else if (current !== undefined && current !== null && current !== '') {
    return refuse('current-context', 'must be a string');
  } else if (list.length === 1 && isObj(list[0])) {
    name = String(list[0].name ?? '');
  } else if (!list.length) {
    return refuse('contexts', 'no context is defined');
  } else {
    return refuse(
      'current-context',
      'is required when the kubeconfig defines several contexts',
    );
  }
  const { index, body } = findNamed(
    list,
    'contexts',
    'context',
    name,
    typeof current === 'string' && current
      ? 'current-context'
      : 'contexts[0].name',
  );
  return { name, index, body };
}

type AddressCheck = { address: string; family: 4 | 6 };

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

async function resolveServer(
  server: URL,
  field: string,
  policy: KubeconfigPolicy,
  lookup: NonNullable<AcceptKubeconfigDeps['lookup']>,
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

const MAX_VERSION_BODY = 64 * 1024;

/**
 * GET /version over TLS to the validated address only: certificate checked
 * against `verifyName`, redirects refused, the whole exchange bounded by
 * the timeout.
 */
export function probeVersion(probe: VersionProbe): Promise<KubeVersion> {
  const failed = (why: string) =>
    new InputError(
      `${probe.field}: the API server did not answer /version (${why})`,
    );
  const basePath = probe.server.pathname.replace(/\/+$/, '');
  return new Promise<KubeVersion>((resolve, reject) => {
    let settled = false;
    // Set once created below; `finish` may run before either exists.
    const pending: { req?: ClientRequest; deadline?: NodeJS.Timeout } = {};
    const finish = (error: Error | undefined, version?: KubeVersion) => {
      if (settled) return;
      settled = true;
      clearTimeout(pending.deadline);
      pending.req?.destroy();
      if (error) reject(error);
      else resolve(version!);
    };
    const req = request({
      host: probe.address,
      family: probe.family,
      port: probe.server.port || 443,
      path: `${basePath}/version`,
      method: 'GET',
      // SNI must be a name, never an IP (RFC 6066).
      servername: isIP(probe.verifyName) ? '' : probe.verifyName,
      headers: {
        host: probe.server.host,
        accept: 'application/json',
        ...(probe.authorization ? { authorization: probe.authorization } : {}),
      },
      ca: probe.ca,
      cert: probe.cert,
      key: probe.key,
      rejectUnauthorized: true,
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        checkServerIdentity(probe.verifyName, cert),
      agent: false,
    });
    pending.req = req;
    pending.deadline = setTimeout(
      () => finish(failed(`no answer within ${probe.timeoutMs} ms`)),
      probe.timeoutMs,
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish(failed(error.code ?? 'connection failed')),
    );
    req.on('response', res => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        finish(
          new InputError(
            `${probe.field}: the API server answered /version with a redirect (HTTP ${status}); redirects are not followed`,
          ),
        );
        return;
      }
      if (status !== 200) {
        finish(failed(`HTTP ${status}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_VERSION_BODY) finish(failed('answer too large'));
        else chunks.push(chunk);
      });
      res.on('error', () => finish(failed('answer interrupted')));
      res.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          const { major, minor, gitVersion } = body ?? {};
          if ([major, minor, gitVersion].every(v => typeof v === 'string')) {
            finish(undefined, { major, minor, gitVersion });
            return;
          }
        } catch {
          // fall through: not a version document
        }
        finish(failed('the answer is not a Kubernetes version'));
      });
    });
    req.end();
  });
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
  const context = chooseContext(doc);
  const contextAt = `contexts[${context.index}].context`;

  const clusterName = context.body.cluster;
  if (typeof clusterName !== 'string' || !clusterName) {
    refuse(`${contextAt}.cluster`, 'is required');
  }
  const cluster = findNamed(
    doc.clusters,
    'clusters',
    'cluster',
    clusterName as string,
    `${contextAt}.cluster`,
  );
  const clusterAt = `clusters[${cluster.index}].cluster`;
  const serverField = `${clusterAt}.server`;

  const userName = context.body.user;
  if (typeof userName !== 'string' || !userName) {
    refuse(`${contextAt}.user`, 'is required');
  }
  const user = findNamed(
    doc.users,
    'users',
    'user',
    userName as string,
    `${contextAt}.user`,
  );
  const userAt = `users[${user.index}].user`;

  // Server
  const rawServer = cluster.body.server;
  if (typeof rawServer !== 'string' || !rawServer.trim()) {
    refuse(serverField, 'is required');
  }
  let server: URL;
  try {
    server = new URL((rawServer as string).trim());
  } catch {
    return refuse(serverField, 'must be an https:// URL');
  }
  if (server.protocol !== 'https:') {
    refuse(serverField, 'must be an https:// URL');
  }
  if (server.username || server.password) {
    refuse(serverField, 'must not embed credentials');
  }
  if (server.search || server.hash) {
    refuse(serverField, 'must not have a query or fragment');
  }

  // TLS trust
  const caData = cluster.body['certificate-authority-data'];
  const ca =
    caData === undefined
      ? undefined
      : decodePem(caData, `${clusterAt}.certificate-authority-data`, 'cert');
  const tlsServerName = cluster.body['tls-server-name'];
  if (tlsServerName !== undefined && typeof tlsServerName !== 'string') {
    refuse(`${clusterAt}.tls-server-name`, 'must be a string');
  }

  // Credentials
  const u = user.body;
  const accepted: AcceptedKubeconfig['user'] = {};
  let authorization: string | undefined;
  if (u.token !== undefined) {
    accepted.token = credentialString(u.token, `${userAt}.token`);
    authorization = `Bearer ${accepted.token}`;
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
    accepted.clientCertificateData = certData as string;
    accepted.clientKeyData = keyData as string;
  }
  if (u.username !== undefined || u.password !== undefined) {
    const username = credentialString(u.username, `${userAt}.username`);
    if (typeof u.password !== 'string' || !u.password) {
      refuse(`${userAt}.password`, 'is required with username');
    }
    accepted.username = username;
    accepted.password = u.password as string;
    authorization ??= `Basic ${Buffer.from(
      `${username}:${accepted.password}`,
    ).toString('base64')}`;
  }
  if (!authorization && !cert) {
    refuse(
      userAt,
      'has no credentials: a token, client-certificate-data with client-key-data, or username with password is required',
    );
  }

  // Network: validate every address, then connect only to a validated one.
  const { address, family } = await resolveServer(
    server,
    serverField,
    policy,
    deps.lookup ?? defaultLookup,
  );
  const version = await (deps.fetchVersion ?? probeVersion)({
    server,
    address,
    family,
    verifyName:
      (tlsServerName as string | undefined) ??
      server.hostname.replace(/^\[(.*)\]$/, '$1'),
    ca,
    cert,
    key,
    authorization,
    timeoutMs: policy.probeTimeoutMs,
    field: serverField,
  });

  return {
    server: `${server.origin}${server.pathname.replace(/\/+$/, '')}`,
    ...(caData !== undefined ? { caData: caData as string } : {}),
    user: accepted,
    context: context.name,
    version,
  };
}
