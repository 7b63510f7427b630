import { randomBytes, randomUUID } from 'node:crypto';

/** A clock tests can move forward instead of sleeping through TTLs. */
export class Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves time forward by `seconds`. */
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export interface TokenRecord {
  id: string;
  accessor: string;
  policies: string[];
  /** Auth path that issued it, e.g. `auth/token/create`. */
  path: string;
  displayName: string;
  meta: Record<string, string> | null;
  /** Epoch ms; 0 for tokens that never expire (root). */
  issueTime: number;
  expireTime: number;
  /** TTL asked for at creation, in seconds (renewals extend by it). */
  creationTtl: number;
  /** Hard end of life, epoch ms (0 = none). */
  maxExpireTime: number;
  explicitMaxTtl: number;
  renewable: boolean;
  numUses: number;
  orphan: boolean;
  parent?: string;
  entityId: string;
}

/** Parses Vault durations: seconds as a number, or `90s`, `15m`, `1h`, `2h30m`. */
export function parseDuration(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value;
  const s = String(value).trim();
  if (/^\d+$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2]]!;
    total += Number(m[1]) * unit;
    consumed += m[0].length;
  }
  if (consumed !== s.length)
    throw new Error(`invalid duration ${JSON.stringify(value)}`);
  return Math.floor(total);
}

export class TokenStore {
  private readonly tokens = new Map<string, TokenRecord>();

  constructor(
    private readonly clock: Clock,
    /** System max TTL (seconds) capping every token. */
    private readonly maxTtl: number,
  ) {}

  createRoot(id: string): TokenRecord {
    const t: TokenRecord = {
      id,
      accessor: randomBytes(12).toString('base64url'),
      policies: ['root'],
      path: 'auth/token/root',
      displayName: 'root',
      meta: null,
      issueTime: this.clock.now(),
      expireTime: 0,
      creationTtl: 0,
      maxExpireTime: 0,
      explicitMaxTtl: 0,
      renewable: false,
      numUses: 0,
      orphan: true,
      entityId: '',
    };
    this.tokens.set(id, t);
    return t;
  }

  /** Issues a service token; `ttl` in seconds (0 = system max). */
  issue(options: {
    policies: string[];
    ttl?: number;
    explicitMaxTtl?: number;
    path: string;
    displayName: string;
    meta?: Record<string, string> | null;
    renewable?: boolean;
    numUses?: number;
    parent?: TokenRecord;
    id?: string;
  }): TokenRecord {
    const now = this.clock.now();
    let ttl = options.ttl || this.maxTtl;
    let maxEnd = now + this.maxTtl * 1000;
    if (options.explicitMaxTtl)
      maxEnd = Math.min(maxEnd, now + options.explicitMaxTtl * 1000);
    // A child never outlives its parent.
    if (options.parent && options.parent.expireTime) {
      maxEnd = Math.min(maxEnd, options.parent.expireTime);
    }
    ttl = Math.min(ttl, Math.max(0, Math.floor((maxEnd - now) / 1000)));
    const policies = [...new Set(options.policies)];
    const t: TokenRecord = {
      id: options.id ?? `hvs.${randomBytes(18).toString('base64url')}`,
      accessor: randomBytes(12).toString('base64url'),
      policies: policies.includes('root')
        ? policies
        : [...new Set(['default', ...policies])].sort(),
      path: options.path,
      displayName: options.displayName,
      meta: options.meta ?? null,
      issueTime: now,
      expireTime: now + ttl * 1000,
      creationTtl: ttl,
      maxExpireTime: maxEnd,
      explicitMaxTtl: options.explicitMaxTtl ?? 0,
      renewable: options.renewable ?? true,
      numUses: options.numUses ?? 0,
      orphan: !options.parent,
      parent: options.parent?.id,
      entityId: options.parent ? options.parent.entityId : randomUUID(),
    };
    this.tokens.set(t.id, t);
    return t;
  }

  /** A live token, or undefined when unknown, revoked or expired. */
  get(id: string | undefined): TokenRecord | undefined {
    if (!id) return undefined;
    const t = this.tokens.get(id);
    if (!t) return undefined;
    if (t.expireTime && t.expireTime <= this.clock.now()) {
      this.revoke(id);
      return undefined;
    }
    return t;
  }

  /** Remaining TTL in seconds (0 for non-expiring tokens). */
  ttl(t: TokenRecord): number {
    return t.expireTime
      ? Math.max(0, Math.ceil((t.expireTime - this.clock.now()) / 1000))
      : 0;
  }

  /** Extends the TTL by `increment` (default: the creation TTL), capped at the max TTL. */
  renew(t: TokenRecord, increment?: number): void {
    const now = this.clock.now();
    const wanted = now + (increment || t.creationTtl) * 1000;
    t.expireTime = Math.min(wanted, t.maxExpireTime || wanted);
  }

  /** Revokes a token and, as Vault does, all of its descendants. */
  revoke(id: string): void {
    this.tokens.delete(id);
    for (const t of [...this.tokens.values()]) {
      if (t.parent === id) this.revoke(t.id);
    }
  }

  /** Consumes one use of a limited-use token. */
  use(t: TokenRecord): void {
    if (t.numUses <= 0) return;
    t.numUses -= 1;
    if (t.numUses === 0) this.revoke(t.id);
  }

  all(): TokenRecord[] {
    return [...this.tokens.values()];
  }
}
