import { parseManifests } from './crds';
import { Registry } from './registry';
import { KubeApiError, notFound } from './status';
import { DeleteOptions, ListOptions, PatchType, Store } from './store';
import { KubeObject, ResourceType, splitApiVersion } from './types';

/** Identifies one object: either the object itself or its coordinates. */
export type ObjectRef =
  | { apiVersion: string; kind: string; name: string; namespace?: string }
  | KubeObject;

const FIELD_MANAGER = 'kube-api-double';

/**
 * Direct, in-process access to the double's store (no HTTP), for test setup
 * and reactions. Writes go through the same code path as HTTP requests, so
 * validation, resourceVersions, watches and reactions behave identically.
 * Errors are {@link KubeApiError}s carrying the `Status` the API would send.
 */
export class InProcessClient {
  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
  ) {}

  /** Resolves apiVersion + kind to a served resource, or throws 404. */
  resolve(apiVersion: string, kind: string): ResourceType {
    const { group, version } = splitApiVersion(apiVersion);
    const t = this.registry.byKind(group, version, kind);
    if (!t) {
      throw new KubeApiError(
        404,
        'NotFound',
        `no matches for kind "${kind}" in version "${apiVersion}"`,
      );
    }
    return t;
  }

  private coords(ref: ObjectRef) {
    const r = ref as {
      apiVersion?: string;
      kind?: string;
      name?: string;
      namespace?: string;
      metadata?: KubeObject['metadata'];
    };
    const name = r.metadata?.name ?? r.name;
    const namespace = r.metadata?.namespace ?? r.namespace;
    if (!r.apiVersion || !r.kind || !name)
      throw new Error('object reference needs apiVersion, kind and name');
    const t = this.resolve(r.apiVersion, r.kind);
    return {
      t,
      name,
      namespace: t.namespaced ? namespace ?? 'default' : undefined,
    };
  }

  /** Returns a copy of the object, or undefined when absent. */
  get(ref: ObjectRef): KubeObject | undefined {
    const { t, name, namespace } = this.coords(ref);
    const o = this.store.find(t, namespace, name);
    return o && structuredClone(this.store.present(o, t));
  }

  /** Lists objects of a kind, in one namespace or all. */
  list(
    apiVersion: string,
    kind: string,
    opts: ListOptions & { namespace?: string } = {},
  ): KubeObject[] {
    const t = this.resolve(apiVersion, kind);
    return structuredClone(this.store.list(t, opts.namespace, opts).items);
  }

  create(obj: KubeObject, opts: { fieldManager?: string } = {}): KubeObject {
    const t = this.resolve(obj.apiVersion ?? '', obj.kind ?? '');
    const ns = t.namespaced ? obj.metadata?.namespace ?? 'default' : undefined;
    return structuredClone(
      this.store.create(t, ns, obj, {
        fieldManager: opts.fieldManager ?? FIELD_MANAGER,
      }).object,
    );
  }

  /** Replaces the object (PUT semantics; a set resourceVersion is a precondition). */
  update(obj: KubeObject, opts: { fieldManager?: string } = {}): KubeObject {
    const { t, name, namespace } = this.coords(obj);
    return structuredClone(
      this.store.update(t, namespace, name, obj, {
        fieldManager: opts.fieldManager ?? FIELD_MANAGER,
      }).object,
    );
  }

  /** Patches the object (JSON merge patch by default). */
  patch(
    ref: ObjectRef,
    patch: unknown,
    type: Exclude<PatchType, 'apply'> = 'merge',
  ): KubeObject {
    const { t, name, namespace } = this.coords(ref);
    return structuredClone(
      this.store.patch(t, namespace, name, type, patch, {
        fieldManager: FIELD_MANAGER,
      }).object,
    );
  }

  /** Merge-patches `status` through the status subresource (or the object when it has none). */
  patchStatus(ref: ObjectRef, status: Record<string, unknown>): KubeObject {
    const { t, name, namespace } = this.coords(ref);
    return structuredClone(
      this.store.patch(
        t,
        namespace,
        name,
        'merge',
        { status },
        {
          fieldManager: FIELD_MANAGER,
          subresource: t.statusSubresource ? 'status' : undefined,
        },
      ).object,
    );
  }

  /** Server-side apply. */
  apply(
    obj: KubeObject,
    opts: { fieldManager: string; force?: boolean },
  ): KubeObject {
    const { t, name, namespace } = this.coords(obj);
    return structuredClone(
      this.store.patch(t, namespace, name, 'apply', obj, opts).object,
    );
  }

  /** Deletes the object; returns its last state, or undefined when it did not exist. */
  delete(ref: ObjectRef, opts: DeleteOptions = {}): KubeObject | undefined {
    const { t, name, namespace } = this.coords(ref);
    try {
      return structuredClone(
        this.store.delete(t, namespace, name, opts).object,
      );
    } catch (err) {
      if (
        err instanceof KubeApiError &&
        err.code === 404 &&
        err.status.details?.name === name
      )
        return undefined;
      throw err;
    }
  }

  /** Removes finalizers so a deleting object goes away. */
  removeFinalizers(ref: ObjectRef): KubeObject | undefined {
    const { t, name, namespace } = this.coords(ref);
    if (!this.store.find(t, namespace, name)) throw notFound(t, name);
    return this.patch(ref, { metadata: { finalizers: null } });
  }

  /**
   * Creates or replaces CustomResourceDefinitions from manifest objects or a
   * YAML string (multi-document allowed). Returns the stored CRDs.
   */
  registerCrd(manifest: KubeObject | string): KubeObject[] {
    const docs =
      typeof manifest === 'string' ? parseManifests(manifest) : [manifest];
    return docs
      .filter(d => d.kind === 'CustomResourceDefinition')
      .map(d => {
        const t = this.resolve(
          'apiextensions.k8s.io/v1',
          'CustomResourceDefinition',
        );
        const name = d.metadata?.name ?? '';
        const existing = this.store.find(t, undefined, name);
        if (!existing) return this.create(d);
        const { resourceVersion: _rv, ...meta } = d.metadata ?? {};
        return structuredClone(
          this.store.update(
            t,
            undefined,
            name,
            { ...d, metadata: meta },
            { fieldManager: FIELD_MANAGER },
          ).object,
        );
      });
  }
}
