import type { V1Secret } from '@kubernetes/client-node';
import { RateLimiter } from '@pipeline-portal/backend-kit';
import { parse } from 'yaml';
import { KubeconfigLocation } from '../distributions/types';
import { ManagementCluster } from '../management/ManagementCluster';
import { SecretStore } from '../secrets/SecretStore';
import { ClusterRecord } from '../store/ClusterStore';
import { kubeconfigSecretName } from './kubeconfigSecrets';

/**
 * Copies the kubeconfig the engine wrote into the secret store (only when it
 * changed). Returns its API server ('unknown' when unreadable), or undefined
 * while the engine has not written it yet.
 */
export async function copyEngineKubeconfig(
  {
    management,
    secrets,
  }: { management: ManagementCluster; secrets: SecretStore },
  record: ClusterRecord,
  location: KubeconfigLocation,
  limiter: RateLimiter,
): Promise<string | undefined> {
  const secret: V1Secret | undefined = await management.readSecret(
    location.namespace,
    location.name,
    limiter,
  );
  const encoded = secret?.data?.[location.key];
  if (!encoded) return undefined;
  const kubeconfig = Buffer.from(encoded, 'base64').toString('utf8');
  const ref = { owner: record.owner, name: kubeconfigSecretName(record.name) };
  const stored = await secrets.get(ref);
  if (stored?.value.kubeconfig !== kubeconfig) {
    await secrets.put(
      { ...ref, kind: 'kubeconfig', value: { kubeconfig } },
      { overwrite: true },
    );
  }
  try {
    const server = parse(kubeconfig)?.clusters?.[0]?.cluster?.server;
    return typeof server === 'string' ? server : 'unknown';
  } catch {
    return 'unknown';
  }
}
