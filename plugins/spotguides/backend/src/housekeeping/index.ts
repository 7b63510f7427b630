import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import {
  DeletedRun,
  HousekeepingTarget,
  RunHousekeeper,
} from './RunHousekeeper';

export { RunHousekeeper, MANAGED_SELECTOR } from './RunHousekeeper';
export type {
  DeletedRun,
  HousekeepingResult,
  HousekeepingTarget,
  RunHousekeeperOptions,
} from './RunHousekeeper';

export const HOUSEKEEPING_TASK = 'spotguides-housekeeping';
const KEY = 'pipelinePortal.spotguides.housekeeping';

/** `pipelinePortal.spotguides.housekeeping`, with its defaults. */
export interface HousekeepingSettings {
  /** Finished runs older than this many days are deleted. Default 7. */
  maxAgeDays: number;
  /** Processed deliveries older than this many days are deleted. Default 14. */
  deliveryMaxAgeDays: number;
  /** Runs kept per component and pipeline. Default 20. */
  keepPerPipeline: number;
  /** How often a pass runs. Default 60. */
  intervalMinutes: number;
}

export function readHousekeepingSettings(config: Config): HousekeepingSettings {
  const positive = (
    key: string,
    fallback: number,
    integer: boolean,
    root = KEY,
  ) => {
    const value = config.getOptionalNumber(`${root}.${key}`) ?? fallback;
    if (!(value > 0) || (integer && !Number.isInteger(value))) {
      throw new InputError(
        `${root}.${key} must be a positive ${
          integer ? 'integer' : 'number'
        }, got ${value}`,
      );
    }
    return value;
  };
  return {
    maxAgeDays: positive('maxAgeDays', 7, false),
    deliveryMaxAgeDays: positive(
      'maxAgeDays',
      14,
      false,
      'pipelinePortal.spotguides.deliveries',
    ),
    keepPerPipeline: positive('keepPerPipeline', 20, true),
    intervalMinutes: positive('intervalMinutes', 60, false),
  };
}

/**
 * Schedules housekeeping: a global task, so one replica at a time deletes
 * old PipelineRuns from the namespaces `targets` names, then old deliveries
 * (`pruneDeliveries`, given the cut-off).
 */
export async function scheduleHousekeeping(options: {
  scheduler: Pick<SchedulerService, 'scheduleTask'>;
  config: Config;
  logger: LoggerService;
  customObjects: (cluster: string) => Promise<CustomObjectsApi>;
  targets: () => Promise<HousekeepingTarget[]>;
  onDeleted?: (run: DeletedRun) => Promise<void>;
  pruneDeliveries?: (before: Date) => Promise<number>;
}): Promise<RunHousekeeper> {
  const settings = readHousekeepingSettings(options.config);
  const housekeeper = new RunHousekeeper({
    customObjects: options.customObjects,
    logger: options.logger,
    maxAgeMs: settings.maxAgeDays * 24 * 60 * 60 * 1000,
    keepPerPipeline: settings.keepPerPipeline,
    onDeleted: options.onDeleted,
  });
  await options.scheduler.scheduleTask({
    id: HOUSEKEEPING_TASK,
    scope: 'global',
    frequency: { minutes: settings.intervalMinutes },
    timeout: { minutes: 5 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      try {
        await housekeeper.run(await options.targets());
      } catch (error) {
        options.logger.error(`PipelineRun housekeeping failed: ${error}`);
      }
      try {
        const before = new Date(
          Date.now() - settings.deliveryMaxAgeDays * 24 * 60 * 60 * 1000,
        );
        const pruned = (await options.pruneDeliveries?.(before)) ?? 0;
        if (pruned) {
          options.logger.info(
            `Deleted ${pruned} deliveries received before ${before.toISOString()}`,
          );
        }
      } catch (error) {
        options.logger.error(`Pruning deliveries failed: ${error}`);
      }
    },
  });
  return housekeeper;
}
