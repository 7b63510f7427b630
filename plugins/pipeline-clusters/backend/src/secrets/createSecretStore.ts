import {
  DatabaseService,
  LifecycleService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { DatabaseSecretStore } from './DatabaseSecretStore';
import { SecretStore } from './SecretStore';

export const SECRET_STORE_CONFIG = 'pipelinePortal.clusters.secrets.store';

export type SecretStoreType = 'database' | 'vault';

/** Reads `pipelinePortal.clusters.secrets.store` (default `database`). */
export function readSecretStoreType(config: Config): SecretStoreType {
  const type = config.getOptionalString(SECRET_STORE_CONFIG) ?? 'database';
  if (type !== 'database' && type !== 'vault') {
    throw new Error(
      `${SECRET_STORE_CONFIG} must be 'database' or 'vault', got '${type}'`,
    );
  }
  return type;
}

/**
 * Builds the configured SecretStore. Configuration errors are start-up
 * errors naming the key at fault.
 */
export async function createSecretStore(options: {
  config: Config;
  database: DatabaseService;
  logger: LoggerService;
  lifecycle?: LifecycleService;
}): Promise<SecretStore> {
  const { config, database, logger, lifecycle } = options;
  const type = readSecretStoreType(config);
  if (type === 'vault') {
    // node-vault and its HTTP stack load only when Vault is the store.
    const { VaultSecretStore } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('./VaultSecretStore') as typeof import('./VaultSecretStore');
    const store = await VaultSecretStore.create({ config, logger });
    lifecycle?.addShutdownHook(() => store.close());
    logger.info('Secrets are stored in Vault');
    return store;
  }
  const store = await DatabaseSecretStore.create({ config, database, logger });
  logger.info('Secrets are stored encrypted in the plugin database');
  return store;
}
