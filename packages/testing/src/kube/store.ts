import { randomUUID } from 'node:crypto';
import { applyConfig, withUpdateOwnership } from './managedFields';
import { jsonPatch, mergePatch } from './patch';
import {
  CRD_STORAGE_KEY,
  NAMESPACE_STORAGE_KEY,
  Registry,
  validateCrd,
} from './registry';
import { Selector, parseFieldSelector, parseLabelSelector } from './selectors';
import {
  FieldError,
  KubeApiError,
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  gone,
  invalidObject,
  namespaceNotFound,
  notFound,
  staleConflict,
} from './status';
import {
  KubeObject,
  ManagedFieldsEntry,
  ResourceType,
  StoreEvent,
  WatchEventType,
  apiVersionOf,
  clone,
  deepEqual,
  isObject,
} from './types';
import {
  prune,
  validateMeta,
  validateName,
  validateSchema,
} from './validation';

/** Patch flavours accepted on PATCH. */
export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

/** Options common to writes. */
export interface WriteOptions {
  /** `metadata.managedFields` manager name; defaults to the client's user agent. */
  fieldManager?: string;
  /** `status` to address the status subresource. */
  subresource?: 'status';
  /** Validate and compute the result without storing it (`dryRun=All`). */
  dryRun?: boolean;
  /** Reject unknown fields instead of pruning them (`fieldValidation=Strict`). */
  strict?: boolean;
}

export interface PatchOptions extends WriteOptions {
  force?: boolean;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** A watch subscriber: receives events already filtered and converted. */
export interface WatchSink {
  send(type: WatchEventType | 'ERROR', object: unknown): void;
  close(): void;
}

interface Watcher {
  type: ResourceType;
  namespace?: string;
  selector: Selector;
  sink: WatchSink;
}

export interface StoreOptions {
  /** Number of events kept for watch resumption (older versions get 410 Gone). */
  historySize?: number;
}

/** The result of a write, with warnings to send as `Warning` headers. */
export interface WriteResult {
  object: KubeObject;
  warnings: string[];
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const compareKeys = (a: string, b: string) => {
  if (a === b) return 0;
  return a < b ? -1 : 1;
};
const nowString = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const objectKey = (ns: string | undefined, name: string) =>
  `${ns ?? ''}/${name}`;

/**
 * The in-memory object store: every mutation (HTTP or in-process) goes
 * through here, bumps the global resourceVersion, is appended to the bounded
 * event history and fanned out to watches and listeners.
 */
export class Store {
  private rv = 1000;
  private compactedRv = 1000;
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly historySize: number;

  constructor(readonly registry: Registry, options: StoreOptions = {}) {
    this.historySize = options.historySize ?? 1000;
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  onEvent(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private bucket(storageKey: string): Map<string, KubeObject> {
    let b = this.data.get(storageKey);
    if (!b) {
      b = new Map();
      this.data.set(storageKey, b);
    }
    return b;
  }

  /** Returns the object as the given version presents it (no field conversion). */
  present(obj: KubeObject, t: ResourceType): KubeObject {
    const apiVersion = apiVersionOf(t.group, t.version);
    return obj.apiVersion === apiVersion && obj.kind === t.kind
      ? obj
      : { ...obj, apiVersion, kind: t.kind };
  }

  private commit(
    t: ResourceType,
    type: WatchEventType,
    next: KubeObject,
    old: KubeObject | undefined,
  ): KubeObject {
    this.rv++;
    const stored: KubeObject = {
      ...next,
      metadata: { ...next.metadata, resourceVersion: String(this.rv) },
    };
    const key = objectKey(stored.metadata!.namespace, stored.metadata!.name!);
    if (type === 'DELETED') this.bucket(t.storageKey).delete(key);
    else this.bucket(t.storageKey).set(key, stored);
    const event: StoreEvent = {
      type,
      resourceVersion: this.rv,
      storageKey: t.storageKey,
      object: stored,
      oldObject: old,
    };
    this.history.push(event);
    while (this.history.length > this.historySize) {
      this.compactedRv = this.history.shift()!.resourceVersion;
    }
    for (const w of this.watchers) this.dispatch(w, event);
    for (const l of this.listeners) l(event);
    return stored;
  }

  private dispatch(w: Watcher, e: StoreEvent) {
    if (w.type.storageKey !== e.storageKey) return;
    if (w.namespace && e.object.metadata?.namespace !== w.namespace) return;
    const now = e.type !== 'DELETED' && w.selector(e.object);
    const before =
      e.type === 'DELETED'
        ? w.selector(e.object)
        : !!e.oldObject && w.selector(e.oldObject);
    let type: WatchEventType | undefined;
    if (e.type === 'ADDED') type = now ? 'ADDED' : undefined;
    else if (e.type === 'DELETED') type = before ? 'DELETED' : undefined;
    // Objects entering or leaving a selector appear as ADDED / DELETED, as with the watch cache.
    else if (now) type = before ? 'MODIFIED' : 'ADDED';
    else if (before) type = 'DELETED';
    if (type) w.sink.send(type, this.present(e.object, w.type));
  }

  // ---- reads -------------------------------------------------------------

  find(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    return this.data
      .get(t.storageKey)
      ?.get(objectKey(t.namespaced ? namespace : undefined, name));
  }

  get(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
  ): KubeObject {
    const obj = this.find(t, namespace, name);
    if (!obj) throw notFound(t, name);
    return this.present(obj, t);
  }

  private matching(
    t: ResourceType,
    namespace: string | undefined,
    selector: Selector,
  ) {
    const items = [...(this.data.get(t.storageKey)?.entries() ?? [])]
      .filter(([, o]) => !namespace || o.metadata?.namespace === namespace)
      .filter(([, o]) => selector(o));
    return items.sort(([a], [b]) => compareKeys(a, b));
  }

  list(
    t: ResourceType,
    namespace: string | undefined,
    opts: ListOptions = {},
  ): ListResult {
    const selector = this.selector(t, opts);
    let start = '';
    let listRv = this.rv;
    if (opts.continue) {
      let token: { rv?: number; start?: string };
      try {
        token = JSON.parse(
          Buffer.from(opts.continue, 'base64').toString('utf8'),
        );
      } catch {
        throw badRequest(
          'continue key is not valid: illegal base64 data at input byte 0',
        );
      }
      if (typeof token.rv !== 'number' || typeof token.start !== 'string') {
        throw badRequest(
          'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
        );
      }
      if (token.rv < this.compactedRv) {
        throw gone(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      start = token.start;
      listRv = token.rv;
    }
    const all = this.matching(t, namespace, selector).filter(
      ([k]) => k > start,
    );
    const limit = opts.limit && opts.limit > 0 ? opts.limit : all.length;
    const page = all.slice(0, limit);
    const result: ListResult = {
      items: page.map(([, o]) => this.present(o, t)),
      resourceVersion: String(listRv),
    };
    if (all.length > page.length) {
      const last = page[page.length - 1][0];
      result.continue = Buffer.from(
        JSON.stringify({ v: 'meta.k8s.io/v1', rv: listRv, start: last }),
      ).toString('base64');
      result.remainingItemCount = all.length - page.length;
    }
    return result;
  }

  private selector(
    t: ResourceType,
    opts: { labelSelector?: string; fieldSelector?: string },
  ): Selector {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector, t.fieldLabels);
    return o => labels(o) && fields(o);
  }

  // ---- watch -------------------------------------------------------------

  /**
   * Starts a watch. Without a resourceVersion (or "0") current objects are
   * sent as synthetic ADDED events; with one, history after it is replayed,
   * or an ERROR 410 Expired is sent when it is older than the history window.
   */
  watch(
    t: ResourceType,
    namespace: string | undefined,
    opts: {
      resourceVersion?: string;
      labelSelector?: string;
      fieldSelector?: string;
    },
    sink: WatchSink,
  ): () => void {
    const w: Watcher = {
      type: t,
      namespace,
      selector: this.selector(t, opts),
      sink,
    };
    const rv = opts.resourceVersion;
    if (!rv || rv === '0') {
      for (const [, o] of this.matching(t, namespace, w.selector))
        sink.send('ADDED', this.present(o, t));
    } else {
      const n = Number(rv);
      if (!Number.isInteger(n) || n < 0) {
        throw badRequest(
          `resourceVersion: Invalid value: "${rv}": strconv.ParseUint: parsing "${rv}": invalid syntax`,
        );
      }
      if (n < this.compactedRv) {
        sink.send(
          'ERROR',
          new KubeApiError(
            410,
            'Expired',
            `too old resource version: ${n} (${this.compactedRv})`,
          ).status,
        );
        sink.close();
        return () => undefined;
      }
      for (const e of this.history)
        if (e.resourceVersion > n) this.dispatch(w, e);
    }
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  /**
   * Forgets all event history (as after an etcd compaction) and ends every
   * open watch, so clients resuming from an old resourceVersion get 410 Gone.
   */
  compact(): void {
    this.rv++;
    this.history.length = 0;
    this.compactedRv = this.rv;
    this.closeWatches();
  }

  closeWatches(): void {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      w.sink.close();
    }
  }

  // ---- writes ------------------------------------------------------------

  private invalid(t: ResourceType, name: string, errs: FieldError[]) {
    if (errs.length) throw invalidObject(t, name, errs);
  }

  private checkNamespace(t: ResourceType, namespace: string | undefined) {
    if (!t.namespaced) return;
    const ns = this.data
      .get(NAMESPACE_STORAGE_KEY)
      ?.get(objectKey(undefined, namespace ?? ''));
    if (!ns) throw namespaceNotFound(namespace ?? '');
    if (ns.metadata?.deletionTimestamp) {
      throw forbidden(
        `unable to create new content in namespace ${namespace} because it is being terminated`,
        {
          name: namespace,
          kind: 'namespaces',
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: `namespace ${namespace} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      );
    }
  }

  private checkIdentity(
    t: ResourceType,
    body: unknown,
    namespace?: string,
  ): KubeObject {
    if (!isObject(body))
      throw badRequest('the body of the request was not a JSON object');
    const obj = body as KubeObject;
    const expected = apiVersionOf(t.group, t.version);
    if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
      throw badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`,
      );
    }
    if (obj.kind !== undefined && obj.kind !== t.kind) {
      throw badRequest(
        `the kind in the data (${obj.kind}) does not match the expected kind (${t.kind})`,
      );
    }
    if (obj.metadata !== undefined && !isObject(obj.metadata))
      throw badRequest('metadata must be an object');
    const bodyNs = obj.metadata?.namespace;
    if (t.namespaced && bodyNs && namespace && bodyNs !== namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    return obj;
  }

  /** Schema pruning/validation and generic metadata checks. */
  private validate(
    t: ResourceType,
    obj: KubeObject,
    strict: boolean | undefined,
  ): string[] {
    const name = obj.metadata?.name ?? '';
    let warnings: string[] = [];
    const errs = validateMeta(obj);
    if (t.schema) {
      const pruned = prune(obj, t.schema);
      if (pruned.length && strict) {
        throw badRequest(
          `strict decoding error: ${pruned
            .map(p => `unknown field "${p}"`)
            .join(', ')}`,
        );
      }
      warnings = pruned.map(p => `unknown field "${p}"`);
      errs.push(...validateSchema(t.schema, obj));
    }
    if (t.storageKey === CRD_STORAGE_KEY) errs.push(...validateCrd(obj));
    this.invalid(t, name, errs);
    return warnings;
  }

  create(
    t: ResourceType,
    namespace: string | undefined,
    body: unknown,
    opts: WriteOptions & { manager?: string; applied?: KubeObject } = {},
  ): WriteResult {
    const input = clone(this.checkIdentity(t, body, namespace));
    const ns = t.namespaced
      ? namespace ?? input.metadata?.namespace
      : undefined;
    const meta = { ...(input.metadata ?? {}) };
    let name = meta.name;
    let nameField = 'metadata.name';
    if (!name && meta.generateName) {
      name = meta.generateName;
      for (let i = 0; i < 5; i++)
        name += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
      nameField = 'metadata.generateName';
    }
    if (!name) {
      this.invalid(t, '', [
        {
          field: 'metadata.name',
          reason: 'FieldValueRequired',
          detail: 'Required value: name or generateName is required',
        },
      ]);
    }
    if (t.namespaced && !ns) {
      this.invalid(t, name!, [
        {
          field: 'metadata.namespace',
          reason: 'FieldValueRequired',
          detail: 'Required value',
        },
      ]);
    }
    this.invalid(t, name!, validateName(t.nameRule, name!, nameField));
    this.checkNamespace(t, ns);
    if (this.find(t, ns, name!)) throw alreadyExists(t, name!);

    const now = nowString();
    for (const k of [
      'uid',
      'resourceVersion',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'generation',
      'managedFields',
      'selfLink',
    ]) {
      delete meta[k];
    }
    let obj: KubeObject = {
      ...input,
      apiVersion: apiVersionOf(t.group, t.version),
      kind: t.kind,
      metadata: {
        ...meta,
        name,
        ...(ns ? { namespace: ns } : {}),
        uid: randomUUID(),
        ...(t.generation ? { generation: 1 } : {}),
        creationTimestamp: now,
      },
    };
    // Status is not settable on create when it is a subresource.
    if (t.statusSubresource) delete obj.status;
    if (t.storageKey === NAMESPACE_STORAGE_KEY) {
      obj.spec = { finalizers: ['kubernetes'] };
      obj.status = { phase: 'Active' };
    }
    const warnings = this.validate(t, obj, opts.strict);
    if (t.storageKey === CRD_STORAGE_KEY) obj.status = crdStatus(obj);
    const manager = opts.fieldManager ?? opts.manager ?? 'unknown';
    obj = opts.applied
      ? this.withApplyOwnership(obj, opts.applied, manager, t, now)
      : withUpdateOwnership(undefined, obj, manager, t, undefined, now);
    if (opts.dryRun) return { object: this.present(obj, t), warnings };
    const stored = this.commit(t, 'ADDED', obj, undefined);
    if (t.storageKey === CRD_STORAGE_KEY) this.registry.setCrd(stored);
    return { object: this.present(stored, t), warnings };
  }

  private withApplyOwnership(
    obj: KubeObject,
    applied: KubeObject,
    manager: string,
    t: ResourceType,
    now: string,
  ): KubeObject {
    const owned = applyConfig(
      {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        metadata: { name: obj.metadata?.name },
      },
      applied,
      manager,
      true,
      t,
      undefined,
      now,
    );
    return {
      ...obj,
      metadata: {
        ...obj.metadata,
        managedFields: owned.metadata?.managedFields,
      },
    };
  }

  /** PUT: replaces the object (or its status). */
  update(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions & { manager?: string } = {},
  ): WriteResult {
    const input = this.checkIdentity(t, body, namespace);
    const bodyName = input.metadata?.name;
    if (bodyName !== undefined && bodyName !== name) {
      throw badRequest(
        `the name of the object (${bodyName}) does not match the name on the URL (${name})`,
      );
    }
    const existing = this.find(t, namespace, name);
    if (!existing) throw notFound(t, name);
    return this.replace(t, existing, clone(input), opts);
  }

  /** PATCH with a merge, strategic-merge (treated as merge), JSON or apply patch. */
  patch(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    body: unknown,
    opts: PatchOptions & { manager?: string } = {},
  ): WriteResult {
    if (type === 'apply') return this.apply(t, namespace, name, body, opts);
    if (opts.force !== undefined) {
      throw new KubeApiError(
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
        {
          group: 'meta.k8s.io',
          kind: 'PatchOptions',
          causes: [
            {
              reason: 'FieldValueForbidden',
              message: 'Forbidden: may not be specified for non-apply patch',
              field: 'force',
            },
          ],
        },
      );
    }
    const existing = this.find(t, namespace, name);
    if (!existing) throw notFound(t, name);
    const current = this.present(existing, t);
    const patched =
      type === 'json'
        ? jsonPatch(current, body)
        : mergePatch(current, checkMergeBody(body));
    if (!isObject(patched)) throw badRequest('the patch produced a non-object');
    return this.replace(t, existing, patched as KubeObject, opts);
  }

  private apply(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: PatchOptions & { manager?: string },
  ): WriteResult {
    if (!opts.fieldManager) {
      throw new KubeApiError(
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        {
          group: 'meta.k8s.io',
          kind: 'PatchOptions',
          causes: [
            {
              reason: 'FieldValueRequired',
              message: 'Required value: is required for apply patch',
              field: 'fieldManager',
            },
          ],
        },
      );
    }
    const config = this.checkIdentity(t, body, namespace);
    if (config.apiVersion === undefined || config.kind === undefined) {
      throw badRequest('invalid object type: /, Kind=');
    }
    if (config.metadata?.name !== undefined && config.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const existing = this.find(t, namespace, name);
    if (!existing) {
      if (opts.subresource) throw notFound(t, name);
      const seed = clone(config);
      seed.metadata = {
        ...seed.metadata,
        name,
        ...(t.namespaced ? { namespace } : {}),
      };
      return this.create(t, namespace, seed, { ...opts, applied: config });
    }
    const rv = config.metadata?.resourceVersion;
    if (rv !== undefined && rv !== existing.metadata?.resourceVersion)
      throw staleConflict(t, name);
    const now = nowString();
    const next = applyConfig(
      this.present(existing, t),
      config,
      opts.fieldManager,
      !!opts.force,
      t,
      opts.subresource,
      now,
    );
    return this.replace(t, existing, next, {
      ...opts,
      managedFields: next.metadata?.managedFields,
    });
  }

  private replace(
    t: ResourceType,
    existing: KubeObject,
    candidate: KubeObject,
    opts: WriteOptions & {
      manager?: string;
      managedFields?: ManagedFieldsEntry[];
    },
  ): WriteResult {
    const name = existing.metadata!.name!;
    const rv = candidate.metadata?.resourceVersion;
    if (
      rv !== undefined &&
      rv !== '' &&
      rv !== existing.metadata?.resourceVersion
    )
      throw staleConflict(t, name);
    const old = existing.metadata!;
    let next: KubeObject;
    if (opts.subresource === 'status') {
      next = clone(this.present(existing, t));
      if (candidate.status === undefined) delete next.status;
      else next.status = clone(candidate.status);
    } else {
      next = {
        ...candidate,
        apiVersion: apiVersionOf(t.group, t.version),
        kind: t.kind,
      };
      const meta = { ...(candidate.metadata ?? {}) };
      for (const k of [
        'uid',
        'creationTimestamp',
        'deletionTimestamp',
        'deletionGracePeriodSeconds',
        'generation',
        'namespace',
        'name',
        'selfLink',
      ] as const) {
        if (old[k] === undefined) delete meta[k];
        else (meta as Record<string, unknown>)[k] = old[k];
      }
      next.metadata = meta;
      if (t.statusSubresource) {
        if (existing.status === undefined) delete next.status;
        else next.status = clone(existing.status);
      }
    }
    if (old.deletionTimestamp) {
      const added = (next.metadata?.finalizers ?? []).filter(
        f => !(old.finalizers ?? []).includes(f),
      );
      if (added.length) {
        this.invalid(t, name, [
          {
            field: 'metadata.finalizers',
            reason: 'FieldValueForbidden',
            detail: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added
              .map(f => JSON.stringify(f))
              .join(', ')}}`,
          },
        ]);
      }
    }
    const warnings = this.validate(t, next, opts.strict);
    if (t.storageKey === CRD_STORAGE_KEY)
      next.status = {
        ...crdStatus(next),
        ...(isObject(next.status) ? next.status : {}),
      };

    const strip = (o: KubeObject, dropMeta: boolean) => {
      const { apiVersion: _a, kind: _k, metadata, ...rest } = o;
      const { resourceVersion: _r, managedFields: _m, ...m } = metadata ?? {};
      if (dropMeta) delete (rest as Record<string, unknown>).status;
      return dropMeta ? rest : { ...rest, metadata: m };
    };
    const current = this.present(existing, t);
    // A no-op write keeps the resourceVersion and sends no event, as in the real server.
    if (deepEqual(strip(next, false), strip(current, false))) {
      return { object: current, warnings };
    }
    if (t.generation && opts.subresource !== 'status') {
      const specChanged = t.statusSubresource
        ? !deepEqual(strip(next, true), strip(current, true))
        : !deepEqual(
            { ...strip(next, true), status: next.status },
            { ...strip(current, true), status: current.status },
          );
      if (specChanged)
        next.metadata = {
          ...next.metadata,
          generation: (old.generation ?? 0) + 1,
        };
    }
    const now = nowString();
    if (opts.managedFields) {
      next.metadata = { ...next.metadata, managedFields: opts.managedFields };
    } else {
      next = withUpdateOwnership(
        current,
        next,
        opts.fieldManager ?? opts.manager ?? 'unknown',
        t,
        opts.subresource,
        now,
      );
    }
    if (opts.dryRun) return { object: next, warnings };
    const stored = this.commit(t, 'MODIFIED', next, existing);
    if (t.storageKey === CRD_STORAGE_KEY) this.registry.setCrd(stored);
    if (
      stored.metadata?.deletionTimestamp &&
      !(stored.metadata.finalizers ?? []).length
    ) {
      return {
        object: this.present(this.remove(t, stored, 'Background'), t),
        warnings,
      };
    }
    return { object: this.present(stored, t), warnings };
  }

  /** DELETE: honours finalizers, preconditions and propagation policy. */
  delete(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): { object: KubeObject; removed: boolean } {
    const existing = this.find(t, namespace, name);
    if (!existing) throw notFound(t, name);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== existing.metadata?.uid) {
      throw conflict(
        t,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata?.uid}`,
      );
    }
    if (
      pre.resourceVersion &&
      pre.resourceVersion !== existing.metadata?.resourceVersion
    ) {
      throw conflict(
        t,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata?.resourceVersion}`,
      );
    }
    if (
      t.storageKey === NAMESPACE_STORAGE_KEY &&
      ['default', 'kube-system', 'kube-public'].includes(name)
    ) {
      throw forbidden(
        `namespaces "${name}" is forbidden: this namespace may not be deleted`,
        { name, kind: 'namespaces' },
      );
    }
    if (opts.dryRun)
      return { object: this.present(existing, t), removed: false };
    const policy = opts.propagationPolicy ?? 'Background';
    if (policy === 'Orphan') this.orphanDependents(existing.metadata!.uid!);
    if (t.storageKey === NAMESPACE_STORAGE_KEY)
      return this.deleteNamespace(t, existing);
    if ((existing.metadata?.finalizers ?? []).length) {
      if (existing.metadata?.deletionTimestamp)
        return { object: this.present(existing, t), removed: false };
      const meta = {
        ...existing.metadata,
        deletionTimestamp: nowString(),
        deletionGracePeriodSeconds: 0,
      };
      if (meta.generation !== undefined) meta.generation += 1;
      const stored = this.commit(
        t,
        'MODIFIED',
        { ...existing, metadata: meta },
        existing,
      );
      return { object: this.present(stored, t), removed: false };
    }
    return {
      object: this.present(this.remove(t, existing, policy), t),
      removed: true,
    };
  }

  private deleteNamespace(t: ResourceType, ns: KubeObject) {
    const name = ns.metadata!.name!;
    let current = ns;
    if (!ns.metadata?.deletionTimestamp) {
      current = this.commit(
        t,
        'MODIFIED',
        {
          ...ns,
          metadata: {
            ...ns.metadata,
            deletionTimestamp: nowString(),
            deletionGracePeriodSeconds: 0,
          },
          status: { phase: 'Terminating' },
        },
        ns,
      );
    }
    for (const [storageKey, bucket] of this.data) {
      const type = this.registry.anyOf(storageKey);
      if (!type?.namespaced) continue;
      for (const obj of [...bucket.values()]) {
        if (
          obj.metadata?.namespace === name &&
          this.find(type, name, obj.metadata.name!)
        ) {
          this.delete(type, name, obj.metadata.name!);
        }
      }
    }
    const removed = this.finalizeNamespace(name);
    return { object: this.present(removed ?? current, t), removed: !!removed };
  }

  // A terminating namespace disappears once its last object is gone.
  private finalizeNamespace(name: string): KubeObject | undefined {
    const nsType = this.registry.anyOf(NAMESPACE_STORAGE_KEY)!;
    const ns = this.find(nsType, undefined, name);
    if (!ns?.metadata?.deletionTimestamp) return undefined;
    for (const [storageKey, bucket] of this.data) {
      if (storageKey === NAMESPACE_STORAGE_KEY) continue;
      for (const o of bucket.values())
        if (o.metadata?.namespace === name) return undefined;
    }
    return this.commit(
      nsType,
      'DELETED',
      { ...ns, spec: { finalizers: [] } },
      ns,
    );
  }

  private orphanDependents(ownerUid: string) {
    for (const [storageKey, bucket] of this.data) {
      const type = this.registry.anyOf(storageKey);
      if (!type) continue;
      for (const o of [...bucket.values()]) {
        const refs = o.metadata?.ownerReferences ?? [];
        if (refs.some(r => r.uid === ownerUid)) {
          const rest = refs.filter(r => r.uid !== ownerUid);
          const meta = { ...o.metadata };
          if (rest.length) meta.ownerReferences = rest;
          else delete meta.ownerReferences;
          this.commit(type, 'MODIFIED', { ...o, metadata: meta }, o);
        }
      }
    }
  }

  private findByUid(uid: string): KubeObject | undefined {
    for (const bucket of this.data.values()) {
      for (const o of bucket.values()) if (o.metadata?.uid === uid) return o;
    }
    return undefined;
  }

  /** Removes an object for good, then garbage-collects its dependents. */
  private remove(
    t: ResourceType,
    obj: KubeObject,
    policy: PropagationPolicy,
  ): KubeObject {
    const removed = this.commit(t, 'DELETED', obj, obj);
    const uid = obj.metadata!.uid!;
    if (t.storageKey === CRD_STORAGE_KEY) this.dropCrd(removed);
    if (policy !== 'Orphan') {
      for (const [storageKey, bucket] of this.data) {
        const type = this.registry.anyOf(storageKey);
        if (!type) continue;
        for (const dep of [...bucket.values()]) {
          const refs = dep.metadata?.ownerReferences ?? [];
          if (!refs.some(r => r.uid === uid)) continue;
          const live = refs.filter(r => r.uid !== uid && this.findByUid(r.uid));
          if (live.length) {
            this.commit(
              type,
              'MODIFIED',
              { ...dep, metadata: { ...dep.metadata, ownerReferences: live } },
              dep,
            );
          } else if (
            this.find(type, dep.metadata?.namespace, dep.metadata!.name!)
          ) {
            this.delete(type, dep.metadata?.namespace, dep.metadata!.name!, {
              propagationPolicy: 'Background',
            });
          }
        }
      }
    }
    const ns = obj.metadata?.namespace;
    if (ns) this.finalizeNamespace(ns);
    return removed;
  }

  // Deleting a CRD deletes every custom resource of it and stops serving it.
  private dropCrd(crd: KubeObject) {
    const types = this.registry.removeCrd(crd.metadata!.name!);
    if (!types.length) return;
    const t = types[0];
    for (const o of [...(this.data.get(t.storageKey)?.values() ?? [])]) {
      this.commit(t, 'DELETED', o, o);
    }
    this.data.delete(t.storageKey);
  }

  /** DELETE on a collection: deletes every matching object. */
  deleteCollection(
    t: ResourceType,
    namespace: string | undefined,
    opts: ListOptions & DeleteOptions,
  ): KubeObject[] {
    const out: KubeObject[] = [];
    for (const [, o] of this.matching(t, namespace, this.selector(t, opts))) {
      if (this.find(t, o.metadata?.namespace, o.metadata!.name!)) {
        out.push(
          this.delete(t, o.metadata?.namespace, o.metadata!.name!, opts).object,
        );
      }
    }
    return out;
  }
}

function checkMergeBody(body: unknown): unknown {
  if (!isObject(body))
    throw badRequest(
      'json: cannot unmarshal array into Go value of type map[string]interface {}',
    );
  return body;
}

function crdStatus(crd: KubeObject) {
  const spec = crd.spec as {
    names?: unknown;
    versions?: { name: string; storage?: boolean }[];
  };
  const t = nowString();
  const cond = (type: string, reason: string, message: string) => ({
    type,
    status: 'True',
    lastTransitionTime: t,
    reason,
    message,
  });
  return {
    acceptedNames: spec.names,
    conditions: [
      cond('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      cond(
        'Established',
        'InitialNamesAccepted',
        'the initial names have been accepted',
      ),
    ],
    storedVersions: (spec.versions ?? [])
      .filter(v => v.storage)
      .map(v => v.name),
  };
}
