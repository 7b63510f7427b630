/*
 * The outside world of bench/trigger: the GitHub double holding spotguide
 * repositories (the Node spotguide's `.tekton/` files, then a chain of
 * commits that change only application files) and the Kubernetes double as
 * the runtime cluster with Tekton's controller played.
 */
import {
  GitHubDouble,
  KubeApi,
  playTekton,
  startGitHub,
  startKubeApi,
  TEKTON_CRDS,
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

export const OWNER = 'portal-org';
export const NAMESPACE = 'team-bench';
export const CLUSTER = 'bench-runtime';

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

export interface BenchRepo {
  name: string;
  /** Commits after the `.tekton/` commit, oldest first; none touches `.tekton/`. */
  shas: string[];
  /** The push of `shas[0]`, built by the double; later pushes are copies. */
  template: PushEvent;
}

export interface World {
  gh: GitHubDouble;
  kube: KubeApi;
  tekton: TektonDouble;
  repos: BenchRepo[];
  /** The push of `repo.shas[i]` on top of `repo.shas[i - 1]`. */
  push(repo: BenchRepo, i: number): PushEvent;
  close(): Promise<void>;
}

/** Appends `count` commits changing `src/counter.txt` in one git push. */
async function pushCommits(
  gh: GitHubDouble,
  repo: string,
  tekton: Record<string, string>,
  count: number,
): Promise<string[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-trigger-git-'));
  try {
    await run('git', ['clone', '-q', gh.cloneUrl(OWNER, repo), dir]);
    const base = (
      await run('git', ['-C', dir, 'rev-parse', 'HEAD'])
    ).stdout.trim();
    const stream: string[] = [];
    const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}`;
    const committer = (i: number) =>
      `committer Bench <bench@example.com> ${1_800_000_000 + i} +0000`;
    stream.push(
      'commit refs/heads/main',
      committer(0),
      data('add the spotguide pipelines'),
      `from ${base}`,
      ...Object.entries(tekton).flatMap(([p, content]) => [
        `M 644 inline ${p}`,
        data(content),
      ]),
    );
    for (let i = 1; i <= count; i++) {
      stream.push(
        'commit refs/heads/main',
        committer(i),
        data(`change ${i}`),
        'M 644 inline src/counter.txt',
        data(`${i}\n`),
      );
    }
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
    // The first is the pipelines' commit.
    return list.stdout.trim().split('\n').slice(1);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function startWorld(options: {
  repoRoot: string;
  repos: number;
  commitsPerRepo: number;
}): Promise<World> {
  // The budget is only counted here, never exhausted.
  const gh = await startGitHub({ rateLimit: 1e9, maxLogEntries: 1_000_000 });
  const kube = await startKubeApi({
    crds: TEKTON_CRDS,
    namespaces: [NAMESPACE],
    historySize: 100_000,
  });
  const tekton = playTekton(kube, { startAfterMs: 20, finishAfterMs: 200 });
  const files = await spotguideTektonFiles(options.repoRoot);
  const names = Array.from(
    { length: options.repos },
    (_, r) => `bench-svc-${String(r).padStart(2, '0')}`,
  );
  const repos = await mapWithConcurrency(names, 4, async name => {
    await gh.createRepo(OWNER, name, { autoInit: true } as any);
    const shas = await pushCommits(gh, name, files, options.commitsPerRepo);
    const template = await gh.webhooks.push(OWNER, name, { after: shas[0] });
    return { name, shas, template };
  });
  return {
    gh,
    kube,
    tekton,
    repos,
    push(repo, i) {
      const after = repo.shas[i];
      const before = i === 0 ? repo.template.before : repo.shas[i - 1];
      const commit = {
        ...repo.template.head_commit!,
        id: after,
        message: `change ${i + 1}`,
      };
      return {
        ...repo.template,
        before,
        after,
        compare: repo.template.compare.replace(
          /compare\/.*$/,
          `compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
        ),
        commits: [commit],
        head_commit: commit,
      };
    },
    async close() {
      tekton.stop();
      await gh.close();
      await kube.close();
    },
  };
}
