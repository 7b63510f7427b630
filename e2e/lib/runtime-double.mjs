// Runs runtime-double.ts as its own process and hands back how to reach it.
import { startDoubleProcess } from './double.mjs';

/**
 * @param {object} [options]
 * @param {number} [options.stepMs] how long a PipelineRun takes to start, then to end
 * @returns {Promise<{ url: string, caData: string, token: string, stop(): Promise<void>, output(): string }>}
 */
export function startRuntimeDouble(options = {}) {
  return startDoubleProcess('runtime double', 'runtime-double.ts', {
    RUN_STEP_MS: String(options.stepMs ?? 1500),
  });
}
