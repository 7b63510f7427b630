import { Registry } from './registry';
import { ResourceType } from './types';

/** The Kubernetes version the double reports. */
export const SERVER_VERSION = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.1',
  gitCommit: '8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828',
  gitTreeState: 'clean',
  buildDate: '2025-05-15T08:19:08Z',
  goVersion: 'go1.24.2',
  compiler: 'gc',
  platform: 'linux/amd64',
};

// Kube-aware version priority: GA > beta > alpha, higher numbers first.
function versionRank(v: string): [number, number, number] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [0, 0, 0];
  const stages: Record<string, number> = { alpha: 1, beta: 2 };
  const stage = m[2] === undefined ? 3 : stages[m[2]];
  return [stage, Number(m[1]), Number(m[3] ?? 0)];
}

export function sortVersions(versions: string[]): string[] {
  return [...versions].sort((a, b) => {
    const ra = versionRank(a);
    const rb = versionRank(b);
    for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i] - ra[i];
    return a.localeCompare(b);
  });
}

export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(name: string, versions: string[]) {
  const sorted = sortVersions(versions).map(version => ({
    groupVersion: `${name}/${version}`,
    version,
  }));
  return { name, versions: sorted, preferredVersion: sorted[0] };
}

export function apiGroupList(registry: Registry) {
  const groups = [...registry.groups()]
    .filter(([g]) => g !== '')
    .map(([g, versions]) => apiGroup(g, versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroupDoc(registry: Registry, group: string) {
  const versions = registry.groups().get(group);
  return versions
    ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) }
    : undefined;
}

const resourceEntry = (t: ResourceType) => ({
  name: t.plural,
  singularName: t.singular,
  namespaced: t.namespaced,
  kind: t.kind,
  verbs: t.verbs,
  ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
  ...(t.categories?.length ? { categories: t.categories } : {}),
});

const statusEntry = (t: ResourceType) => ({
  name: `${t.plural}/status`,
  singularName: '',
  namespaced: t.namespaced,
  kind: t.kind,
  verbs: ['get', 'patch', 'update'],
});

export function apiResourceList(
  registry: Registry,
  group: string,
  version: string,
) {
  const types = registry
    .all()
    .filter(t => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const resources = types
    .sort((a, b) => a.plural.localeCompare(b.plural))
    .flatMap(t =>
      t.statusSubresource
        ? [resourceEntry(t), statusEntry(t)]
        : [resourceEntry(t)],
    );
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}
