import type { AuthService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  INTEGRATED_SERVICE_KIND,
  IntegratedServiceEntity,
} from '@pipeline-portal/plugin-integrated-services-common';

/**
 * The IntegratedService definitions in the catalog (its kind processor has
 * validated them), read with the plugin's own credentials and reused for a
 * short while: every reconcile pass and request needs them.
 */
export class CatalogDefinitions {
  private cached?: {
    at: number;
    map: Promise<Map<string, IntegratedServiceEntity>>;
  };

  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      /** @default 30000 */
      cacheMs?: number;
      now?: () => number;
    },
  ) {}

  /** Definitions by service name. */
  async all(): Promise<Map<string, IntegratedServiceEntity>> {
    const now = (this.options.now ?? Date.now)();
    const ttl = this.options.cacheMs ?? 30_000;
    if (!this.cached || now - this.cached.at >= ttl) {
      const map = this.load();
      this.cached = { at: now, map };
      // A failed read is not an answer: read again next time.
      map.catch(() => {
        if (this.cached?.map === map) this.cached = undefined;
      });
    }
    return this.cached.map;
  }

  async get(name: string): Promise<IntegratedServiceEntity | undefined> {
    return (await this.all()).get(name);
  }

  private async load(): Promise<Map<string, IntegratedServiceEntity>> {
    const { items } = await this.options.catalog.getEntities(
      { filter: { kind: INTEGRATED_SERVICE_KIND } },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    return new Map(
      items.map(e => [
        e.metadata.name,
        e as unknown as IntegratedServiceEntity,
      ]),
    );
  }
}
