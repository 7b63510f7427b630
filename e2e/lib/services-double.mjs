// Runs services-double.ts as its own process and hands back how to reach it.
import { startDoubleProcess } from './double.mjs';

/**
 * @param {object} [options]
 * @param {number} [options.readyAfterMs] how long a HelmRelease takes to turn Ready
 * @returns {Promise<{ url: string, caData: string, token: string, stop(): Promise<void>, output(): string }>}
 */
export function startServicesDouble(options = {}) {
  return startDoubleProcess('services double', 'services-double.ts', {
    READY_AFTER_MS: String(options.readyAfterMs ?? 1500),
  });
}
