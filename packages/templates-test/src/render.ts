import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createFetchTemplateAction } from '@backstage/plugin-scaffolder-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The repository's root. */
export const REPO_ROOT = path.resolve(
  resolvePackagePath('@pipeline-portal/templates-test'),
  '../..',
);

/** The repository's templates/ folder. */
export const TEMPLATES_DIR = path.join(REPO_ROOT, 'templates');

/** The spotguides: each a template folder with a skeleton. */
export const SPOTGUIDES = [
  'nodejs-service',
  'spring-boot-service',
  'go-service',
  'spark-job',
] as const;
export type Spotguide = (typeof SPOTGUIDES)[number];

/** The values each template's fetch step passes to its skeleton. */
export interface SkeletonValues {
  name: string;
  description?: string;
  owner: string;
  repoUrl: string;
  cluster: string;
  namespace: string;
  [option: string]: string | undefined;
}

/**
 * Renders a skeleton with the scaffolder's own fetch:template action (its
 * nunjucks setup and filters), into a new temporary directory.
 */
export async function renderSkeleton(
  spotguide: Spotguide,
  values: SkeletonValues,
): Promise<string> {
  const workspacePath = await fs.mkdtemp(
    path.join(os.tmpdir(), `${spotguide}-`),
  );
  const config = new ConfigReader({});
  const action = createFetchTemplateAction({
    // A skeleton next to its template is copied from disk: no URL reader.
    reader: {
      readUrl: () => Promise.reject(new Error('no URL reader in this test')),
      readTree: () => Promise.reject(new Error('no URL reader in this test')),
      search: () => Promise.reject(new Error('no URL reader in this test')),
    },
    integrations: ScmIntegrations.fromConfig(config),
  });
  const scratch: string[] = [];
  const ctx = {
    ...createMockActionContext({
      input: { url: './skeleton', values: values as Record<string, string> },
      workspacePath,
      templateInfo: {
        entityRef: `template:default/${spotguide}`,
        baseUrl: pathToFileURL(
          path.join(TEMPLATES_DIR, spotguide, 'template.yaml'),
        ).href,
      },
    }),
    // The raw skeleton is copied to a scratch directory, not the workspace.
    createTemporaryDirectory: async () => {
      const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'skeleton-raw-'));
      scratch.push(tmp);
      return tmp;
    },
  };
  try {
    await action.handler(ctx as any);
  } finally {
    await Promise.all(
      scratch.map(d => fs.rm(d, { recursive: true, force: true })),
    );
  }
  return workspacePath;
}

/** Every file under a directory, relative, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, {
    recursive: true,
    withFileTypes: true,
  });
  return entries
    .filter(e => e.isFile())
    .map(e => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter(f => !f.startsWith('node_modules'))
    .sort();
}
