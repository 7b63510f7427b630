import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
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
  /** Runs kept per component and pipeline. Default 20. */
  keepPerPipeline: number;
  /** How often a pass runs. Default 60. */
  intervalMinutes: number;
}

export function readHousekeepingSettings(config: Config): HousekeepingSettings {
  const c = config.getOptionalConfig(KEY);
  const positive = (key: string, fallback: number, integer: boolean) => {
    const value = c?.getOptionalNumber(key) ?? fallback;
    if (!(value > 0) || (integer && !Number.isInteger(value))) {
      throw new InputError(
        `${KEY}.${key} must be a positive ${
          integer ? 'integer' : 'number'
        }, got ${value}`,
      );
    }
    return value;
  };
  return {
    maxAgeDays: positive('maxAgeDays', 7, false),
    keepPerPipeline: positive('keepPerPipeline', 20, true),
    intervalMinutes: positive('intervalMinutes', 60, false),
  };
}

/** The team namespaces of components a spotguide made (runtime cluster and namespace annotations). */
export function targetsOfEntities(entities: Entity[]): HousekeepingTarget[] {
  const out = new Map<string, HousekeepingTarget>();
  for (const e of entities) {
    const a = e.metadata.annotations ?? {};
    const cluster = a['pipeline-portal.io/runtime-cluster'];
    const namespace = a['pipeline-portal.io/namespace'];
    if (cluster && namespace) {
      out.set(`${cluster}\n${namespace}`, { cluster, namespace });
    }
  }
  return [...out.values()];
}

/**
 * Schedules housekeeping: a global task, so one replica at a time deletes
 * old PipelineRuns from the namespaces `targets` names.
 */
export async function scheduleHousekeeping(options: {
  scheduler: SchedulerService;
  config: Config;
  logger: LoggerService;
  customObjects: (cluster: string) => Promise<CustomObjectsApi>;
  targets: () => Promise<HousekeepingTarget[]>;
  onDeleted?: (run: DeletedRun) => Promise<void>;
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
    timeout: { minutes: 15 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      try {
        await housekeeper.run(await options.targets());
      } catch (error) {
        options.logger.error(`PipelineRun housekeeping failed: ${error}`);
      }
    },
  });
  return housekeeper;
}
