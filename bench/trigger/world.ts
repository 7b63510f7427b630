/*
 * The outside world of bench/trigger (and bench/tenancy): the GitHub double
 * holding spotguide repositories (a first commit with the `.tekton/` files
 * and the component's `catalog-info.yaml`, then a chain of commits) and the
 * Kubernetes double as the runtime cluster, with Tekton's controller played
 * and Kyverno's CRDs served, so the clusters plugin can create the team
 * namespace with its policies as on a real cluster.
 */
import {
  defaultCrdDir,
  GitHubDouble,
  KubeApi,
  listManifestFiles,
  playTekton,
  startGitHub,
  startKubeApi,
  TEKTON_CRDS,
  FLUX_CRDS,
  TektonDouble,
} from '@pipeline-portal/testing';
import type { PushEvent } from '@octokit/webhooks-types';
import { mapWithConcurrency } from '@pipeline-portal/backend-kit';
import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const SERVICE_INSTANCE_CRD = path.resolve(
  __dirname,
  '../../plugins/integrated-services/backend/crds/serviceinstances.integratedservices.pipeline-portal.io.yaml',
);
export const OWNER = 'portal-org';
export const NAMESPACE = 'team-bench';
export const CLUSTER = 'bench-runtime';
/** The guest's team: it owns the components, the cluster and the namespace. */
export const OWNER_GROUP = 'group:default/storefront';
export const CATALOG_FILE = 'catalog-info.yaml';

/** The pipelines the Node spotguide ships, read from its skeleton. */
export async function spotguideTektonFiles(
  repoRoot: string,
): Promise<Record<string, string>> {
  const dir = path.join(repoRoot, 'templates/nodejs-service/skeleton/.tekton');
  const files: Record<string, string> = {};
  for (const name of (await fs.readdir(dir)).sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    // The scaffolder fills the ${{ }} expressions; any value does here.
    const raw = await fs.readFile(path.join(dir, name), 'utf8');
    files[`.tekton/${name}`] = raw.replace(/\$\{\{[^}]*\}\}/g, 'bench');
  }
  return files;
}

/**
 * The component a bench repository declares about itself, as a spotguide
 * renders it: it claims the repository and runs in the team namespace.
 */
export function catalogInfo(repo: string): string {
  return `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${repo}
  annotations:
    github.com/project-slug: ${OWNER}/${repo}
    backstage.io/kubernetes-id: ${repo}
    pipeline-portal.io/runtime-cluster: ${CLUSTER}
    pipeline-portal.io/namespace: ${NAMESPACE}
    pipeline-portal.io/spotguide: nodejs-service
spec:
  type: service
  lifecycle: experimental
  owner: ${OWNER_GROUP}
`;
}

export interface BenchRepo {
  name: string;
  /** Commits after the first (pipelines and catalog file) one, oldest first. */
  shas: string[];
  /** The push of `shas[0]`, built by the double; later pushes are copies. */
  template: PushEvent;
}

/** One commit of a chain: the files it writes (path to content). */
export interface CommitSpec {
  message: string;
  files: Record<string, string>;
}

export interface Doubles {
  gh: GitHubDouble;
  kube: KubeApi;
  tekton: TektonDouble;
  close(): Promise<void>;
}

export interface World extends Doubles {
  repos: BenchRepo[];
  /** The push of `repo.shas[i]` on top of `repo.shas[i - 1]`. */
  push(repo: BenchRepo, i: number): PushEvent;
}

/**
 * The GitHub double (its rate limiter counts, never refuses) and the
 * Kubernetes double with Tekton and Kyverno; no namespace exists on it yet.
 */
export async function startDoubles(): Promise<Doubles> {
  const gh = await startGitHub({ rateLimit: 1e9, maxLogEntries: 1_000_000 });
  const kube = await startKubeApi({
    crds: [
      ...TEKTON_CRDS,
      ...listManifestFiles(path.join(defaultCrdDir(), 'kyverno.io')),
      // What the integrated-services reconcile pass lists on every cluster.
      ...FLUX_CRDS,
      SERVICE_INSTANCE_CRD,
    ],
    namespaces: ['pipeline-system'],
    historySize: 100_000,
  });
  const tekton = playTekton(kube, { startAfterMs: 20, finishAfterMs: 200 });
  return {
    gh,
    kube,
    tekton,
    async close() {
      tekton.stop();
      await gh.close();
      await kube.close();
    },
  };
}

/**
 * Appends the commits to `main` of a repository on the double in one git
 * push (built with fast-import: thousands of commits take a second). Returns
 * their shas, oldest first.
 */
export async function pushCommits(
  gh: GitHubDouble,
  repo: string,
  commits: CommitSpec[],
): Promise<string[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-trigger-git-'));
  try {
    await run('git', ['clone', '-q', gh.cloneUrl(OWNER, repo), dir]);
    const base = (
      await run('git', ['-C', dir, 'rev-parse', 'HEAD'])
    ).stdout.trim();
    const stream: string[] = [];
    const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}`;
    commits.forEach((commit, i) => {
      stream.push(
        'commit refs/heads/main',
        `committer Bench <bench@example.com> ${1_800_000_000 + i} +0000`,
        data(commit.message),
        ...(i === 0 ? [`from ${base}`] : []),
        ...Object.entries(commit.files).flatMap(([p, content]) => [
          `M 644 inline ${p}`,
          data(content),
        ]),
      );
    });
    await new Promise<void>((resolve, reject) => {
      const child = spawn('git', ['-C', dir, 'fast-import', '--quiet'], {
        stdio: ['pipe', 'ignore', 'inherit'],
      });
      child.once('error', reject);
      child.once('exit', code =>
        code === 0 ? resolve() : reject(new Error(`fast-import ${code}`)),
      );
      child.stdin.end(`${stream.join('\n')}\n`);
    });
    await run('git', ['-C', dir, 'push', '-q', 'origin', 'main']);
    const list = await run(
      'git',
      ['-C', dir, 'rev-list', '--reverse', `${base}..main`],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    return list.stdout.trim().split('\n');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Creates a repository whose first commit holds `files` (its pipelines) and
 * its `catalog-info.yaml`, followed by `commits`.
 */
export async function createBenchRepo(
  gh: GitHubDouble,
  name: string,
  files: Record<string, string>,
  commits: CommitSpec[],
): Promise<BenchRepo> {
  await gh.createRepo(OWNER, name, { autoInit: true } as any);
  const all = await pushCommits(gh, name, [
    {
      message: 'add the spotguide pipelines and the component',
      files: { ...files, [CATALOG_FILE]: catalogInfo(name) },
    },
    ...commits,
  ]);
  const shas = all.slice(1);
  const template = await gh.webhooks.push(OWNER, name, { after: shas[0] });
  return { name, shas, template };
}

/** The push of `repo.shas[i]` on top of `repo.shas[i - 1]`, to `ref`. */
export function pushOf(repo: BenchRepo, i: number, ref?: string): PushEvent {
  const after = repo.shas[i];
  const before = i === 0 ? repo.template.before : repo.shas[i - 1];
  const commit = {
    ...repo.template.head_commit!,
    id: after,
    message: `change ${i + 1}`,
  };
  return {
    ...repo.template,
    ...(ref ? { ref } : {}),
    before,
    after,
    compare: repo.template.compare.replace(
      /compare\/.*$/,
      `compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
    ),
    commits: [commit],
    head_commit: commit,
  };
}

/** Commits that change only `src/counter.txt`. */
export function counterCommits(count: number): CommitSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    message: `change ${i + 1}`,
    files: { 'src/counter.txt': `${i + 1}\n` },
  }));
}

export async function startWorld(options: {
  repoRoot: string;
  repos: number;
  commitsPerRepo: number;
}): Promise<World> {
  const doubles = await startDoubles();
  try {
    const files = await spotguideTektonFiles(options.repoRoot);
    const names = Array.from(
      { length: options.repos },
      (_, r) => `bench-svc-${String(r).padStart(2, '0')}`,
    );
    const repos = await mapWithConcurrency(names, 4, name =>
      createBenchRepo(
        doubles.gh,
        name,
        files,
        counterCommits(options.commitsPerRepo),
      ),
    );
    return { ...doubles, repos, push: (repo, i) => pushOf(repo, i) };
  } catch (error) {
    await doubles.close();
    throw error;
  }
}

export interface PushCursor {
  (): { repo: BenchRepo; i: number };
  /**
   * Takes back pushes that were never sent (a phase ended first): they are
   * handed out again, first, so each repository's chain of delivered pushes
   * has no gap. A gap is a push the portal never heard of, and rightly costs
   * a read of `.tekton/` on primary quota.
   */
  giveBack(pushes: Array<{ repo: BenchRepo; i: number }>): void;
}

/** Hands out each repository's next unused push, round robin. */
export function cursor(world: World): PushCursor {
  const used = new Map<string, number>();
  const returned: Array<{ repo: BenchRepo; i: number }> = [];
  let r = 0;
  const next = () => {
    const back = returned.shift();
    if (back) return back;
    const repo = world.repos[r++ % world.repos.length];
    const i = used.get(repo.name) ?? 0;
    if (i >= repo.shas.length) throw new Error(`${repo.name}: out of commits`);
    used.set(repo.name, i + 1);
    return { repo, i };
  };
  return Object.assign(next, {
    giveBack(pushes: Array<{ repo: BenchRepo; i: number }>) {
      returned.unshift(...pushes);
    },
  });
}
