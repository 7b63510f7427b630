import { mockServices } from '@backstage/backend-test-utils';
import {
  ClusterPhase,
  ClusterSpec,
  CREDENTIAL_KIND_OF,
  DEFAULT_OFFERED_VERSIONS,
  ProvisionedDistribution,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { KubeApi } from '@pipeline-portal/testing';
import { Knex } from 'knex';
import { MANAGEMENT_NAMESPACE, testConfig } from '../../__testUtils__/fixtures';
import {
  CREDENTIALS,
  sampleSpec,
} from '../../distributions/__testUtils__/harness';
import { ManagementCluster } from '../../management/ManagementCluster';
import { DatabaseSecretStore } from '../../secrets/DatabaseSecretStore';
import { ClusterStore } from '../../store/ClusterStore';
import { ClusterReconciler, ReconcilerOptions } from '../ClusterReconciler';
import { ClusterService } from '../ClusterService';

export interface PortalReplicaOptions {
  /** Overrides of the reconciler's options (short back-off, resync at once). */
  reconciler?: Partial<ReconcilerOptions>;
  /** Per request timeout against the management cluster. */
  timeoutMs?: number;
}

/**
 * One portal replica over a database and a management cluster: its own
 * store, secret store, service and reconciler, as after a restart.
 */
export async function portalReplica(
  knex: Knex,
  api: KubeApi,
  options: PortalReplicaOptions = {},
) {
  const database = mockServices.database({ knex });
  const store = await ClusterStore.create({ database });
  const secrets = await DatabaseSecretStore.create({
    database,
    config: testConfig(),
  });
  const management = new ManagementCluster({
    url: api.url,
    caData: api.caData,
    token: api.token,
    namespace: MANAGEMENT_NAMESPACE,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  const logger = mockServices.logger.mock();
  const service = new ClusterService({
    store,
    secrets,
    management,
    offeredVersions: DEFAULT_OFFERED_VERSIONS,
    importPolicy: { allowedCidrs: [], probeTimeoutMs: 1000 },
    logger,
  });
  const reconciler = new ClusterReconciler({
    store,
    secrets,
    management,
    logger,
    baseBackoffMs: 10,
    maxBackoffMs: 50,
    resyncMs: 0,
    ...options.reconciler,
  });
  return { store, secrets, service, reconciler, management, logger };
}

export type PortalReplica = Awaited<ReturnType<typeof portalReplica>>;

/** The sample spec of a distribution under another name. */
export function specNamed(
  distribution: ProvisionedDistribution,
  name: string,
): ClusterSpec {
  return { ...sampleSpec(distribution), name };
}

/** Stores the owner's credential the spec names, then requests the cluster. */
export async function requestCluster(r: PortalReplica, spec: ClusterSpec) {
  const distribution = spec.distribution as ProvisionedDistribution;
  await r.secrets.put({
    owner: spec.owner,
    name: spec.credential,
    kind: CREDENTIAL_KIND_OF[distribution],
    value: CREDENTIALS[distribution],
  });
  return r.service.create(spec);
}

/** Runs passes (waiting out back-off) until the phase, or fails after a deadline. */
export async function passUntil(
  r: PortalReplica,
  name: string,
  phase: ClusterPhase,
  withinMs = 45_000,
) {
  for (const end = Date.now() + withinMs; Date.now() < end; ) {
    await r.reconciler.runOnce();
    const record = await r.store.get(name);
    if (record?.phase === phase) return record;
    await new Promise(res => setTimeout(res, 20));
  }
  const record = await r.store.get(name);
  throw new Error(
    `cluster ${name} stuck in ${record?.phase}: ${record?.message}`,
  );
}
