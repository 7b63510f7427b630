import { Config } from '@backstage/config';
import ipaddr from 'ipaddr.js';

export const ALLOWED_CIDRS_CONFIG =
  'pipelinePortal.clusters.import.allowedCidrs';
export const PROBE_TIMEOUT_CONFIG =
  'pipelinePortal.clusters.import.probeTimeoutMs';

export interface KubeconfigPolicy {
  /** Admin-allowed private or loopback ranges (CIDR); default none. */
  allowedCidrs: string[];
  /** Deadline of the `/version` probe (default 5000). */
  probeTimeoutMs: number;
}

/** Reads the import policy from config, naming the key at fault. */
export function readKubeconfigPolicy(config: Config): KubeconfigPolicy {
  const allowedCidrs =
    config.getOptionalStringArray(ALLOWED_CIDRS_CONFIG) ?? [];
  allowedCidrs.forEach((cidr, i) => {
    if (!ipaddr.isValidCIDR(cidr)) {
      throw new Error(
        `${ALLOWED_CIDRS_CONFIG}[${i}] must be a CIDR such as 10.0.0.0/8 or fd00::/8`,
      );
    }
  });
  const probeTimeoutMs = config.getOptionalNumber(PROBE_TIMEOUT_CONFIG) ?? 5000;
  if (!(probeTimeoutMs > 0)) {
    throw new Error(`${PROBE_TIMEOUT_CONFIG} must be a positive number`);
  }
  return { allowedCidrs, probeTimeoutMs };
}
