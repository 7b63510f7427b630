import type { Clock } from './tokens';

/** Thrown by the engine; rendered as `{"errors":[message]}`. */
export class VaultError extends Error {
  constructor(
    readonly status: number,
    message?: string,
    readonly body?: unknown,
  ) {
    super(message ?? '');
  }
}

export interface KvVersion {
  data: Record<string, unknown> | null;
  createdTime: string;
  /** RFC 3339 time of a soft delete, or ''. */
  deletionTime: string;
  destroyed: boolean;
}

export interface KvSecret {
  versions: Map<number, KvVersion>;
  currentVersion: number;
  oldestVersion: number;
  maxVersions: number;
  casRequired: boolean;
  customMetadata: Record<string, string> | null;
  deleteVersionAfter: string;
  createdTime: string;
  updatedTime: string;
}

export interface KvConfig {
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

/** Version metadata in the shape of `data.metadata` of a read. */
export function versionMetadata(secret: KvSecret, version: number) {
  const v = secret.versions.get(version)!;
  return {
    created_time: v.createdTime,
    custom_metadata: secret.customMetadata,
    deletion_time: v.deletionTime,
    destroyed: v.destroyed,
    version,
  };
}

/** One KV version 2 mount: versions, soft deletes, check-and-set. */
export class KvEngine {
  readonly secrets = new Map<string, KvSecret>();
  readonly config: KvConfig = {
    maxVersions: 0,
    casRequired: false,
    deleteVersionAfter: '0s',
  };

  constructor(private readonly clock: Clock) {}

  private stamp() {
    return iso(this.clock.now());
  }

  /** Effective max versions: the secret's, else the mount's, else Vault's default 10. */
  private limit(secret: KvSecret) {
    return secret.maxVersions || this.config.maxVersions || 10;
  }

  private ensure(path: string): KvSecret {
    let s = this.secrets.get(path);
    if (!s) {
      const now = this.stamp();
      s = {
        versions: new Map(),
        currentVersion: 0,
        oldestVersion: 0,
        maxVersions: 0,
        casRequired: false,
        customMetadata: null,
        deleteVersionAfter: '0s',
        createdTime: now,
        updatedTime: now,
      };
      this.secrets.set(path, s);
    }
    return s;
  }

  write(
    path: string,
    data: Record<string, unknown>,
    cas?: number,
  ): { secret: KvSecret; version: number } {
    const existing = this.secrets.get(path);
    const casRequired = this.config.casRequired || existing?.casRequired;
    if (cas === undefined && casRequired) {
      throw new VaultError(
        400,
        'check-and-set parameter required for this call',
      );
    }
    if (cas !== undefined && cas !== (existing?.currentVersion ?? 0)) {
      throw new VaultError(
        400,
        'check-and-set parameter did not match the current version',
      );
    }
    const secret = this.ensure(path);
    const version = secret.currentVersion + 1;
    const now = this.stamp();
    secret.versions.set(version, {
      data,
      createdTime: now,
      deletionTime: '',
      destroyed: false,
    });
    secret.currentVersion = version;
    secret.updatedTime = now;
    if (!secret.oldestVersion) secret.oldestVersion = version;
    const keep = this.limit(secret);
    for (const v of [...secret.versions.keys()].sort((a, b) => a - b)) {
      if (secret.versions.size <= keep) break;
      secret.versions.delete(v);
    }
    secret.oldestVersion = Math.min(...secret.versions.keys());
    return { secret, version };
  }

  /** Reads a version (default current); 404 for missing, deleted or destroyed. */
  read(path: string, version?: number) {
    const secret = this.secrets.get(path);
    if (!secret || !secret.currentVersion) throw new VaultError(404);
    const n = version || secret.currentVersion;
    const v = secret.versions.get(n);
    if (!v) throw new VaultError(404);
    const metadata = versionMetadata(secret, n);
    if (v.deletionTime || v.destroyed) {
      // Vault answers 404 but still returns the version's metadata.
      throw new VaultError(404, undefined, { data: null, metadata });
    }
    return { data: v.data, metadata };
  }

  private each(path: string, versions: number[], fn: (v: KvVersion) => void) {
    const secret = this.secrets.get(path);
    if (!secret) return;
    for (const n of versions) {
      const v = secret.versions.get(n);
      if (v) fn(v);
    }
    secret.updatedTime = this.stamp();
  }

  softDelete(path: string, versions?: number[]) {
    const secret = this.secrets.get(path);
    if (!secret) return;
    const now = this.stamp();
    this.each(path, versions ?? [secret.currentVersion], v => {
      if (!v.destroyed && !v.deletionTime) v.deletionTime = now;
    });
  }

  undelete(path: string, versions: number[]) {
    this.each(path, versions, v => {
      if (!v.destroyed) v.deletionTime = '';
    });
  }

  destroy(path: string, versions: number[]) {
    this.each(path, versions, v => {
      v.destroyed = true;
      v.data = null;
    });
  }

  deleteAll(path: string) {
    this.secrets.delete(path);
  }

  writeMetadata(
    path: string,
    body: {
      maxVersions?: number;
      casRequired?: boolean;
      customMetadata?: Record<string, string>;
      deleteVersionAfter?: string;
    },
  ) {
    const secret = this.ensure(path);
    if (body.maxVersions !== undefined) secret.maxVersions = body.maxVersions;
    if (body.casRequired !== undefined) secret.casRequired = body.casRequired;
    if (body.customMetadata !== undefined)
      secret.customMetadata = body.customMetadata;
    if (body.deleteVersionAfter !== undefined)
      secret.deleteVersionAfter = body.deleteVersionAfter;
    secret.updatedTime = this.stamp();
  }

  metadata(path: string) {
    const secret = this.secrets.get(path);
    if (!secret) throw new VaultError(404);
    const versions: Record<
      string,
      { created_time: string; deletion_time: string; destroyed: boolean }
    > = {};
    for (const [n, v] of secret.versions) {
      versions[String(n)] = {
        created_time: v.createdTime,
        deletion_time: v.deletionTime,
        destroyed: v.destroyed,
      };
    }
    return {
      cas_required: secret.casRequired,
      created_time: secret.createdTime,
      current_version: secret.currentVersion,
      custom_metadata: secret.customMetadata,
      delete_version_after: secret.deleteVersionAfter,
      max_versions: secret.maxVersions,
      oldest_version: secret.oldestVersion,
      updated_time: secret.updatedTime,
      versions,
    };
  }

  /** Direct children of `prefix` (folders end with `/`), sorted. */
  list(prefix: string): string[] {
    const base = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
    const keys = new Set<string>();
    for (const path of this.secrets.keys()) {
      if (!path.startsWith(base)) continue;
      const rest = path.slice(base.length);
      const slash = rest.indexOf('/');
      keys.add(slash < 0 ? rest : rest.slice(0, slash + 1));
    }
    return [...keys].filter(Boolean).sort();
  }
}
