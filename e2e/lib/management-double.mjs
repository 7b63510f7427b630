// Runs management-double.ts as its own process and hands back how to reach it.
import { startDoubleProcess } from './double.mjs';

/**
 * @param {object} [options]
 * @param {number} [options.readyAfterMs] how long engines take to be Ready
 * @returns {Promise<{ url: string, caData: string, token: string, stop(): Promise<void>, output(): string }>}
 */
export function startManagementDouble(options = {}) {
  return startDoubleProcess('management double', 'management-double.ts', {
    READY_AFTER_MS: String(options.readyAfterMs ?? 1500),
  });
}
