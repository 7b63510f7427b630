import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import {
  ReportingRunStore,
  StatusClients,
  StatusReporter,
} from './StatusReporter';

export { StatusReporter, runLink, rateLimitedUntil } from './StatusReporter';
export type {
  ReportingRunStore,
  ReportPass,
  StatusClient,
  StatusClients,
  StatusReporterOptions,
} from './StatusReporter';
export { observe, readRun } from './runState';
export type { ObservedRun } from './runState';

export const REPORTING_TASK = 'spotguides-status-reporting';
const KEY = 'pipelinePortal.spotguides.reporting';

/** `pipelinePortal.spotguides.reporting`, with its defaults. */
export interface ReportingSettings {
  /** How often unfinished runs are read and statuses written. Default 10. */
  intervalSeconds: number;
  /** Runs looked at per pass. Default 200. */
  batchSize: number;
}

export function readReportingSettings(config: Config): ReportingSettings {
  const c = config.getOptionalConfig(KEY);
  const positive = (key: string, fallback: number) => {
    const value = c?.getOptionalNumber(key) ?? fallback;
    if (!(value > 0) || !Number.isInteger(value)) {
      throw new InputError(
        `${KEY}.${key} must be a positive integer, got ${value}`,
      );
    }
    return value;
  };
  return {
    intervalSeconds: positive('intervalSeconds', 10),
    batchSize: positive('batchSize', 200),
  };
}

/**
 * Schedules the status watcher as a global task: one replica at a time
 * reads run states and writes commit statuses.
 */
export async function scheduleStatusReporting(options: {
  scheduler: Pick<SchedulerService, 'scheduleTask'>;
  config: Config;
  logger: LoggerService;
  runs: ReportingRunStore;
  github: StatusClients;
  customObjects: (cluster: string) => Promise<CustomObjectsApi>;
}): Promise<StatusReporter> {
  const settings = readReportingSettings(options.config);
  const reporter = new StatusReporter({
    runs: options.runs,
    github: options.github,
    customObjects: options.customObjects,
    logger: options.logger,
    appBaseUrl: options.config.getString('app.baseUrl'),
    batchSize: settings.batchSize,
  });
  await options.scheduler.scheduleTask({
    id: REPORTING_TASK,
    scope: 'global',
    frequency: { seconds: settings.intervalSeconds },
    // A pass reads a batch of runs and writes their statuses: well under a
    // minute; a killed replica's claim is freed after two.
    timeout: { minutes: 2 },
    initialDelay: { seconds: 5 },
    fn: async () => {
      try {
        await reporter.runOnce();
      } catch (error) {
        options.logger.error(`commit status reporting failed: ${error}`);
      }
    },
  });
  return reporter;
}
