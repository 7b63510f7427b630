import { FieldError } from './status';
import { KubeObject, PrinterColumn, ResourceType, isObject } from './types';

const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

interface BuiltinSpec {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  status?: boolean;
  generation?: boolean;
  nameRule?: ResourceType['nameRule'];
  returnDeletedObject?: boolean;
  fieldLabels?: string[];
}

const builtin = (s: BuiltinSpec): ResourceType => ({
  group: s.group,
  version: s.version,
  plural: s.plural,
  singular: s.kind.toLowerCase(),
  kind: s.kind,
  listKind: `${s.kind}List`,
  namespaced: s.namespaced,
  shortNames: s.shortNames,
  categories: s.categories,
  verbs: ALL_VERBS,
  statusSubresource: s.status ?? false,
  generation: s.generation ?? false,
  nameRule: s.nameRule ?? 'subdomain',
  returnDeletedObject: s.returnDeletedObject ?? false,
  storageKey: `${s.group}/${s.plural}`,
  fieldLabels: s.fieldLabels,
});

/** The built-in kinds the double serves, with the real discovery metadata. */
export const BUILTIN_TYPES: ResourceType[] = [
  builtin({
    group: '',
    version: 'v1',
    plural: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    status: true,
    nameRule: 'label',
    returnDeletedObject: true,
    fieldLabels: ['status.phase'],
  }),
  builtin({
    group: '',
    version: 'v1',
    plural: 'configmaps',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
  }),
  builtin({
    group: '',
    version: 'v1',
    plural: 'secrets',
    kind: 'Secret',
    namespaced: true,
    fieldLabels: ['type'],
  }),
  builtin({
    group: '',
    version: 'v1',
    plural: 'serviceaccounts',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
  }),
  builtin({
    group: '',
    version: 'v1',
    plural: 'pods',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    status: true,
    generation: true,
    returnDeletedObject: true,
    fieldLabels: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
  }),
  builtin({
    group: '',
    version: 'v1',
    plural: 'events',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    fieldLabels: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
  }),
  builtin({
    group: '',
    version: 'v1',
    plural: 'resourcequotas',
    kind: 'ResourceQuota',
    namespaced: true,
    shortNames: ['quota'],
    status: true,
  }),
  builtin({
    group: '',
    version: 'v1',
    plural: 'limitranges',
    kind: 'LimitRange',
    namespaced: true,
    shortNames: ['limits'],
  }),
  builtin({
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    status: true,
    generation: true,
  }),
  builtin({
    group: 'batch',
    version: 'v1',
    plural: 'jobs',
    kind: 'Job',
    namespaced: true,
    categories: ['all'],
    status: true,
    generation: true,
  }),
  builtin({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'roles',
    kind: 'Role',
    namespaced: true,
    nameRule: 'path',
  }),
  builtin({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'rolebindings',
    kind: 'RoleBinding',
    namespaced: true,
    nameRule: 'path',
  }),
  builtin({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'clusterroles',
    kind: 'ClusterRole',
    namespaced: false,
    nameRule: 'path',
  }),
  builtin({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    namespaced: false,
    nameRule: 'path',
  }),
  builtin({
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'networkpolicies',
    kind: 'NetworkPolicy',
    namespaced: true,
    shortNames: ['netpol'],
    generation: true,
  }),
  builtin({
    group: 'events.k8s.io',
    version: 'v1',
    plural: 'events',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
  }),
  builtin({
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    status: true,
    generation: true,
    returnDeletedObject: true,
  }),
];

export const CRD_STORAGE_KEY = 'apiextensions.k8s.io/customresourcedefinitions';
export const NAMESPACE_STORAGE_KEY = '/namespaces';

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
  subresources?: { status?: unknown };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: {
    plural: string;
    singular?: string;
    kind: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  versions: CrdVersion[];
}

/** Checks the parts of a CRD the double relies on; returns field errors like the real validation. */
export function validateCrd(crd: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec as Partial<CrdSpec> | undefined;
  const req = (field: string) =>
    errs.push({
      field,
      reason: 'FieldValueRequired',
      detail: 'Required value',
    });
  if (!isObject(spec)) {
    req('spec');
    return errs;
  }
  if (!spec.group) req('spec.group');
  if (!spec.names?.plural) req('spec.names.plural');
  if (!spec.names?.kind) req('spec.names.kind');
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    errs.push({
      field: 'spec.scope',
      reason: 'FieldValueNotSupported',
      detail: `Unsupported value: "${
        spec.scope ?? ''
      }": supported values: "Cluster", "Namespaced"`,
    });
  }
  if (!Array.isArray(spec.versions) || spec.versions.length === 0) {
    errs.push({
      field: 'spec.versions',
      reason: 'FieldValueInvalid',
      detail:
        'Invalid value: null: must have exactly one version marked as storage version',
    });
  } else if (spec.versions.filter(v => v.storage).length !== 1) {
    errs.push({
      field: 'spec.versions',
      reason: 'FieldValueInvalid',
      detail: `Invalid value: ${JSON.stringify(
        spec.versions.map(v => v.name),
      )}: must have exactly one version marked as storage version`,
    });
  }
  const expected = `${spec.names?.plural}.${spec.group}`;
  if (crd.metadata?.name && crd.metadata.name !== expected) {
    errs.push({
      field: 'metadata.name',
      reason: 'FieldValueInvalid',
      detail: `Invalid value: "${crd.metadata.name}": must be spec.names.plural+"."+spec.group`,
    });
  }
  return errs;
}

/** Builds one ResourceType per served version of a CRD. */
export function typesFromCrd(crd: KubeObject): ResourceType[] {
  const spec = crd.spec as CrdSpec;
  const n = spec.names;
  return spec.versions
    .filter(v => v.served !== false)
    .map(v => ({
      group: spec.group,
      version: v.name,
      plural: n.plural,
      singular: n.singular ?? n.kind.toLowerCase(),
      kind: n.kind,
      listKind: n.listKind ?? `${n.kind}List`,
      namespaced: spec.scope === 'Namespaced',
      shortNames: n.shortNames,
      categories: n.categories,
      verbs: ALL_VERBS,
      statusSubresource:
        isObject(v.subresources) && v.subresources.status !== undefined,
      generation: true,
      nameRule: 'subdomain' as const,
      returnDeletedObject: true,
      storageKey: `${spec.group}/${n.plural}`,
      schema: v.schema?.openAPIV3Schema,
      printerColumns: v.additionalPrinterColumns,
    }));
}

/** The served resources, indexed for routing. */
export class Registry {
  private readonly byGvr = new Map<string, ResourceType>();
  private readonly crdTypes = new Map<string, ResourceType[]>();

  constructor() {
    for (const t of BUILTIN_TYPES) this.add(t);
  }

  private add(t: ResourceType) {
    this.byGvr.set(`${t.group}/${t.version}/${t.plural}`, t);
  }

  /** Registers (or re-registers) the types of a stored CRD object. */
  setCrd(crd: KubeObject): ResourceType[] {
    this.removeCrd(crd.metadata!.name!);
    const types = typesFromCrd(crd);
    types.forEach(t => this.add(t));
    this.crdTypes.set(crd.metadata!.name!, types);
    return types;
  }

  removeCrd(name: string): ResourceType[] {
    const types = this.crdTypes.get(name) ?? [];
    for (const t of types)
      this.byGvr.delete(`${t.group}/${t.version}/${t.plural}`);
    this.crdTypes.delete(name);
    return types;
  }

  lookup(
    group: string,
    version: string,
    plural: string,
  ): ResourceType | undefined {
    return this.byGvr.get(`${group}/${version}/${plural}`);
  }

  byKind(
    group: string,
    version: string,
    kind: string,
  ): ResourceType | undefined {
    for (const t of this.byGvr.values()) {
      if (t.group === group && t.version === version && t.kind === kind)
        return t;
    }
    return undefined;
  }

  /** Any served version of a storage key (to name a resource in messages). */
  anyOf(storageKey: string): ResourceType | undefined {
    for (const t of this.byGvr.values())
      if (t.storageKey === storageKey) return t;
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.byGvr.values()];
  }

  /** Group → versions in registration order (built-ins first, like the real server). */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const t of this.byGvr.values()) {
      const versions = out.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      out.set(t.group, versions);
    }
    return out;
  }
}
