/*
 * Fills the pipeline-clusters database with clusters through the plugin's own
 * ClusterStore, so rows have exactly the shape the product writes (spec JSON,
 * history, observed fields). Used by list.mjs.
 */
import {
  PROVISIONED_DISTRIBUTIONS,
  ClusterPhase,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import knexFactory from 'knex';
import pLimit from 'p-limit';
import { sampleSpec } from '../../plugins/pipeline-clusters/backend/src/distributions/__testUtils__/harness';
import { ClusterStore } from '../../plugins/pipeline-clusters/backend/src/store/ClusterStore';

export const OWNERS = [
  'group:default/payments',
  'group:default/storefront',
  'group:default/platform',
  'group:default/data',
  'group:default/mobile',
];

/** Most clusters run; a few are on their way or broken, as in a real fleet. */
function phaseOf(i: number): ClusterPhase {
  const r = i % 20;
  if (r === 0) return 'Pending';
  if (r === 1) return 'Error';
  if (r < 4) return 'Provisioning';
  return 'Running';
}

export async function seedClusters(
  connection: { host: string; port: number; user: string; database: string },
  count: number,
): Promise<Record<string, number>> {
  const knex = knexFactory({ client: 'pg', connection, pool: { max: 4 } });
  try {
    // The plugin migrated the database already; this is a no-op check.
    const store = await ClusterStore.create({ database: knex });
    const limit = pLimit(4);
    const byOwner: Record<string, number> = {};
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        limit(async () => {
          const d =
            PROVISIONED_DISTRIBUTIONS[i % PROVISIONED_DISTRIBUTIONS.length];
          const owner = OWNERS[Math.floor(i / 7) % OWNERS.length];
          const name = `c${String(i).padStart(4, '0')}-${d}`;
          const spec = { ...sampleSpec(d), name, owner };
          const created = await store.insert({
            name,
            owner,
            distribution: d,
            spec,
            phase: 'Pending',
            message: 'waiting for the reconciler',
          });
          const phase = phaseOf(i);
          if (phase !== 'Pending') {
            await store.update(name, created.revision, {
              phase,
              appliedRevision: 1,
              message:
                phase === 'Error' ? 'quota exceeded in region' : undefined,
              observed:
                phase === 'Running'
                  ? {
                      kubernetesVersion: spec.kubernetesVersion,
                      nodeCount: 4,
                      apiServer: `https://${name}.example.com:6443`,
                    }
                  : {},
            });
          }
          byOwner[owner] = (byOwner[owner] ?? 0) + 1;
        }),
      ),
    );
    return byOwner;
  } finally {
    await knex.destroy();
  }
}
