import { Store } from './store';
import { KubeObject, StoreEvent, splitApiVersion } from './types';

/** When a reaction fires: `deleting` = deletionTimestamp was just set (finalizers pending). */
export type ReactionTrigger = 'create' | 'update' | 'deleting' | 'delete';

/** Selects the objects a reaction applies to. */
export interface ReactionSelector {
  /** API group (`''` or omitted for core). */
  group?: string;
  kind: string;
  on: ReactionTrigger | ReactionTrigger[];
  namespace?: string;
  name?: string;
  /** Wait this long before running the handler, to mimic a controller's latency. */
  delayMs?: number;
  /** Extra predicate on the object. */
  filter?: (obj: KubeObject) => boolean;
}

export interface ReactionContext<C> {
  trigger: ReactionTrigger;
  /** State before the change (update/deleting/delete). */
  oldObject?: KubeObject;
  /** In-process client (same as the handle's) to mutate the store. */
  api: C;
}

/** A reaction callback; gets the object as stored after the change. */
export type ReactionHandler<C> = (
  obj: KubeObject,
  api: C,
  context: ReactionContext<C>,
) => void | Promise<void>;

function triggerOf(e: StoreEvent): ReactionTrigger {
  if (e.type === 'ADDED') return 'create';
  if (e.type === 'DELETED') return 'delete';
  const was = e.oldObject?.metadata?.deletionTimestamp;
  return !was && e.object.metadata?.deletionTimestamp ? 'deleting' : 'update';
}

/**
 * Runs registered callbacks after store mutations, asynchronously (after the
 * write has been answered), like a controller reacting to a watch event.
 */
export class Reactions<C> {
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private readonly errors: unknown[] = [];
  private readonly unsubscribe: () => void;
  private closed = false;
  private readonly rules = new Set<{
    sel: ReactionSelector;
    fn: ReactionHandler<C>;
  }>();

  constructor(store: Store, private readonly api: C) {
    this.unsubscribe = store.onEvent(e => this.onEvent(e));
  }

  add(sel: ReactionSelector, fn: ReactionHandler<C>): () => void {
    const rule = { sel, fn };
    this.rules.add(rule);
    return () => this.rules.delete(rule);
  }

  private onEvent(e: StoreEvent) {
    if (this.closed) return;
    const trigger = triggerOf(e);
    const obj = e.object;
    const { group } = splitApiVersion(obj.apiVersion ?? '');
    for (const { sel, fn } of this.rules) {
      const on = Array.isArray(sel.on) ? sel.on : [sel.on];
      if (
        !on.includes(trigger) ||
        sel.kind !== obj.kind ||
        (sel.group ?? '') !== group
      )
        continue;
      if (
        sel.namespace !== undefined &&
        sel.namespace !== obj.metadata?.namespace
      )
        continue;
      if (sel.name !== undefined && sel.name !== obj.metadata?.name) continue;
      if (sel.filter && !sel.filter(obj)) continue;
      this.schedule(sel.delayMs ?? 0, () =>
        fn(structuredClone(obj), this.api, {
          trigger,
          oldObject: e.oldObject && structuredClone(e.oldObject),
          api: this.api,
        }),
      );
    }
  }

  private schedule(delayMs: number, run: () => void | Promise<void>) {
    const p = new Promise<void>(resolve => {
      const timer: NodeJS.Timeout = setTimeout(async () => {
        this.timers.delete(timer);
        try {
          if (!this.closed) await run();
        } catch (err) {
          this.errors.push(err);
        } finally {
          resolve();
        }
      }, delayMs);
      this.timers.set(timer, resolve);
    });
    this.pending.add(p);
    p.finally(() => this.pending.delete(p));
  }

  /**
   * Resolves once no reaction is pending (including ones triggered by
   * reactions); rejects with the first error a reaction threw.
   */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (this.errors.length) {
      const [first] = this.errors.splice(0);
      throw first;
    }
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const [t, resolve] of this.timers) {
      clearTimeout(t);
      resolve();
    }
    this.timers.clear();
  }
}
