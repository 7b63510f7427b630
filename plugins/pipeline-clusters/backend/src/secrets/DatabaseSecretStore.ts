import {
  DatabaseService,
  isDatabaseConflictError,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ConflictError, CustomErrorBase } from '@backstage/errors';
import {
  CredentialSummary,
  SecretKind,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Knex } from 'knex';
import { applyMigrations } from '../store/migrations';
import {
  normalizeKinds,
  normalizeOwner,
  normalizeRef,
  NewSecret,
  SecretRecord,
  SecretRef,
  SecretStore,
  validateSecret,
} from './SecretStore';

export const DATABASE_KEYS_CONFIG =
  'pipelinePortal.clusters.secrets.database.keys';

const TABLE = 'secrets';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A configured encryption key. */
export interface SecretKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** A row that cannot be decrypted: wrong key, or ciphertext or binding altered. */
export class SecretDecryptionError extends CustomErrorBase {}

interface SecretRow {
  owner: string;
  name: string;
  kind: string;
  key_id: string;
  iv: string;
  auth_tag: string;
  ciphertext: string;
  created_at: string | Date;
  updated_at: string | Date;
}

const isoOf = (value: string | Date | number) => new Date(value).toISOString();

/**
 * Reads `pipelinePortal.clusters.secrets.database.keys`. There is no implied
 * or derived key in any environment: without a valid key the store refuses
 * to start, with an error naming the key at fault and never its value.
 */
export function readSecretKeys(config: Config): SecretKey[] {
  const entries = config.getOptionalConfigArray(DATABASE_KEYS_CONFIG) ?? [];
  if (!entries.length) {
    throw new Error(
      `${DATABASE_KEYS_CONFIG} is not set: the database secret store needs at least one ` +
        `encryption key ({ id, secret }, secret = 32 random bytes in base64, e.g. from ` +
        `\`openssl rand -base64 32\`)${
          process.env.NODE_ENV === 'production'
            ? ''
            : '; for local development put a dev-only key in app-config.local.yaml'
        }`,
    );
  }
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const at = `${DATABASE_KEYS_CONFIG}[${index}]`;
    const id = entry.getOptionalString('id');
    if (!id || !KEY_ID.test(id)) {
      throw new Error(
        `${at}.id must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      );
    }
    if (seen.has(id)) throw new Error(`${at}.id '${id}' is used twice`);
    seen.add(id);
    const secret = entry.getOptionalString('secret')?.trim() ?? '';
    // Exactly 32 bytes in standard base64 (what `openssl rand -base64 32` prints).
    if (!/^[A-Za-z0-9+/]{43}=$/.test(secret)) {
      throw new Error(
        `${at}.secret must be exactly ${KEY_BYTES} bytes encoded in base64 (e.g. from \`openssl rand -base64 32\`)`,
      );
    }
    const key = Buffer.from(secret, 'base64');
    return { id, key };
  });
}

// The row's identity is authenticated with its ciphertext, so a row copied
// to another owner, name or kind fails to decrypt.
const aadOf = (owner: string, name: string, kind: string) =>
  Buffer.from(JSON.stringify(['pipeline-portal/secret/v1', owner, name, kind]));

/**
 * The embedded SecretStore: AES-256-GCM encrypted rows in the plugin's
 * database. The first configured key encrypts; every key decrypts, so keys
 * rotate by prepending a new one, running `reencrypt()`, then dropping the
 * old one.
 */
export class DatabaseSecretStore implements SecretStore {
  private readonly byId: Map<string, SecretKey>;

  private constructor(
    private readonly knex: Knex,
    private readonly keys: SecretKey[],
    private readonly logger?: LoggerService,
  ) {
    this.byId = new Map(keys.map(k => [k.id, k]));
  }

  static async create(options: {
    database: DatabaseService;
    config: Config;
    logger?: LoggerService;
  }): Promise<DatabaseSecretStore> {
    // Validate keys before touching the database: a bad key is a start-up error.
    const keys = readSecretKeys(options.config);
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) await applyMigrations(knex);
    return new DatabaseSecretStore(knex, keys, options.logger);
  }

  async put(
    secret: NewSecret,
    options?: { overwrite?: boolean },
  ): Promise<SecretRecord> {
    const { owner, name, kind, value } = validateSecret(secret);
    const now = new Date().toISOString();
    const sealed = this.seal(owner, name, kind, value);
    const insert = {
      owner,
      name,
      kind,
      ...sealed,
      created_at: now,
      updated_at: now,
    };
    if (options?.overwrite) {
      await this.knex(TABLE)
        .insert(insert)
        .onConflict(['owner', 'name'])
        .merge([
          'kind',
          'key_id',
          'iv',
          'auth_tag',
          'ciphertext',
          'updated_at',
        ]);
    } else {
      try {
        await this.knex(TABLE).insert(insert);
      } catch (error) {
        if (isDatabaseConflictError(error)) {
          throw new ConflictError(`secret ${name} of ${owner} already exists`);
        }
        throw error;
      }
    }
    const row = await this.knex<SecretRow>(TABLE)
      .where({ owner, name })
      .first('created_at');
    return {
      owner,
      name,
      kind,
      value,
      createdAt: row ? isoOf(row.created_at) : now,
    };
  }

  async get(ref: SecretRef): Promise<SecretRecord | undefined> {
    const { owner, name } = normalizeRef(ref);
    const row = await this.knex<SecretRow>(TABLE)
      .where({ owner, name })
      .first();
    if (!row) return undefined;
    return {
      owner: row.owner,
      name: row.name,
      kind: row.kind as SecretKind,
      value: this.open(row),
      createdAt: isoOf(row.created_at),
    };
  }

  async list(options?: {
    owner?: string;
    kinds?: SecretKind[];
  }): Promise<CredentialSummary[]> {
    const kinds = normalizeKinds(options?.kinds);
    let query = this.knex<SecretRow>(TABLE).select(
      'owner',
      'name',
      'kind',
      'created_at',
    );
    if (options?.owner !== undefined) {
      query = query.where('owner', normalizeOwner(options.owner));
    }
    if (kinds) query = query.whereIn('kind', kinds);
    const rows = await query.orderBy([
      { column: 'owner', order: 'asc' },
      { column: 'name', order: 'asc' },
    ]);
    return rows.map(row => ({
      owner: row.owner,
      name: row.name,
      kind: row.kind as SecretKind,
      createdAt: isoOf(row.created_at),
    }));
  }

  async delete(
    ref: SecretRef,
    options?: { kinds?: SecretKind[] },
  ): Promise<boolean> {
    const { owner, name } = normalizeRef(ref);
    const kinds = normalizeKinds(options?.kinds);
    // One statement: the kind is checked by the row it deletes.
    let query = this.knex(TABLE).where({ owner, name });
    if (kinds) query = query.whereIn('kind', kinds);
    return (await query.delete()) > 0;
  }

  /**
   * Rewrites every row not encrypted under the current (first) key. Returns
   * how many rows were rewritten. A row changed concurrently is skipped: its
   * writer already used the current key.
   */
  async reencrypt(): Promise<number> {
    const current = this.keys[0];
    let rewritten = 0;
    const skipped = new Set<string>();
    for (;;) {
      const rows: SecretRow[] = await this.knex<SecretRow>(TABLE)
        .whereNot('key_id', current.id)
        .orderBy(['owner', 'name'])
        .limit(100 + skipped.size);
      const todo = rows.filter(r => !skipped.has(`${r.owner}\n${r.name}`));
      if (!todo.length) break;
      for (const row of todo) {
        const value = this.open(row);
        const updated = await this.knex(TABLE)
          .where({
            owner: row.owner,
            name: row.name,
            key_id: row.key_id,
            iv: row.iv,
          })
          .update({
            ...this.seal(row.owner, row.name, row.kind, value),
            updated_at: new Date().toISOString(),
          });
        if (updated) rewritten += 1;
        else skipped.add(`${row.owner}\n${row.name}`);
      }
    }
    this.logger?.info(
      `Re-encrypted ${rewritten} secret(s) under key '${current.id}'`,
    );
    return rewritten;
  }

  private seal(
    owner: string,
    name: string,
    kind: string,
    value: Record<string, string>,
  ) {
    const { id, key } = this.keys[0];
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv);
    cipher.setAAD(aadOf(owner, name, kind));
    const ciphertext = Buffer.concat([
      cipher.update(JSON.stringify(value), 'utf8'),
      cipher.final(),
    ]);
    return {
      key_id: id,
      iv: iv.toString('base64'),
      auth_tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    };
  }

  private open(row: SecretRow): Record<string, string> {
    const what = `secret ${row.name} of ${row.owner}`;
    const key = this.byId.get(row.key_id);
    if (!key) {
      throw new SecretDecryptionError(
        `${what} is encrypted with key '${row.key_id}', which is not in ${DATABASE_KEYS_CONFIG}`,
      );
    }
    try {
      const decipher = createDecipheriv(
        ALGORITHM,
        key.key,
        Buffer.from(row.iv, 'base64'),
        // Refuse truncated tags, which GCM would otherwise accept.
        { authTagLength: 16 },
      );
      decipher.setAAD(aadOf(row.owner, row.name, row.kind));
      decipher.setAuthTag(Buffer.from(row.auth_tag, 'base64'));
      const plaintext = Buffer.concat([
        decipher.update(Buffer.from(row.ciphertext, 'base64')),
        decipher.final(),
      ]).toString('utf8');
      return JSON.parse(plaintext);
    } catch {
      // No cause: nothing about the plaintext may travel with the error.
      throw new SecretDecryptionError(
        `${what} failed to decrypt with key '${row.key_id}': its ciphertext, owner, name or kind was altered`,
      );
    }
  }
}
