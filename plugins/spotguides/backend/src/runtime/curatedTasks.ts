import {
  LoggerService,
  resolvePackagePath,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import fs from 'node:fs';
import { TaskInstaller } from './TaskInstaller';

/**
 * The installer of the curated Tekton Tasks, from
 * `pipelinePortal.spotguides.tasks.directory` (default: the project's
 * `catalog/tekton-tasks`); none when the directory is missing, said once.
 */
export function curatedTasks(
  config: RootConfigService,
  logger: LoggerService,
): TaskInstaller | undefined {
  const directory =
    config.getOptionalString('pipelinePortal.spotguides.tasks.directory') ??
    resolvePackagePath(
      '@pipeline-portal/plugin-spotguides-backend',
      '../../../catalog/tekton-tasks',
    );
  if (!fs.existsSync(directory)) {
    logger.warn(
      `no curated Tekton tasks at ${directory}: runs rely on the Tasks their namespaces already have`,
    );
    return undefined;
  }
  const installer = TaskInstaller.fromDirectory(directory);
  logger.info(
    `curated Tekton tasks installed into team namespaces on first use: ${installer.names.join(
      ', ',
    )}`,
  );
  return installer;
}
