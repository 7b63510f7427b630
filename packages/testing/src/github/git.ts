import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Environment that keeps the host's git configuration out of the double. */
const baseEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: os.tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LANG: 'C',
});

export interface RunOptions {
  input?: Buffer | string;
  env?: NodeJS.ProcessEnv;
  /** Exit codes that are not failures (e.g. 1 for "not found" queries). */
  okCodes?: number[];
}

export interface RunResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs `git --git-dir=<dir> ...args` and collects its output. */
export function git(
  gitDir: string | undefined,
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const fullArgs = gitDir ? [`--git-dir=${gitDir}`, ...args] : args;
  return new Promise((resolve, reject) => {
    const child = spawn('git', fullArgs, {
      env: { ...baseEnv(), ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', d => out.push(d));
    child.stderr.on('data', d => err.push(d));
    child.on('error', reject);
    child.on('close', code => {
      const result = {
        code: code ?? -1,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (code === 0 || options.okCodes?.includes(code ?? -1)) {
        resolve(result);
      } else {
        reject(
          new Error(`git ${args.join(' ')} failed (${code}): ${result.stderr}`),
        );
      }
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

const text = async (gitDir: string, args: string[], options?: RunOptions) =>
  (await git(gitDir, args, options)).stdout.toString('utf8');

export const ZERO_SHA = '0'.repeat(40);

export interface Person {
  name: string;
  email: string;
  date: string;
}

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  author: Person;
  committer: Person;
  message: string;
}

export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size: number;
  path: string;
}

export interface RefInfo {
  ref: string;
  sha: string;
  type: string;
}

export interface FileChange {
  status: 'added' | 'modified' | 'removed' | 'renamed';
  filename: string;
  additions: number;
  deletions: number;
}

/** Refs, revisions and paths from URLs must never be read as git options. */
const safe = (value: string) => {
  if (value.startsWith('-') || value.includes('\0')) {
    throw new Error(`unsafe git argument: ${value}`);
  }
  return value;
};

const parsePerson = (line: string): Person => {
  const m = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!m) return { name: line, email: '', date: new Date(0).toISOString() };
  const date = new Date(Number(m[3]) * 1000)
    .toISOString()
    .replace(/\.000Z$/, 'Z');
  return { name: m[1], email: m[2], date };
};

export async function initBare(gitDir: string, branch: string): Promise<void> {
  await fs.mkdir(path.dirname(gitDir), { recursive: true });
  await git(undefined, [
    'init',
    '--quiet',
    '--bare',
    `--initial-branch=${safe(branch)}`,
    gitDir,
  ]);
  // Let `git http-backend` accept pushes and allow any sha to be fetched.
  await git(gitDir, ['config', 'http.receivepack', 'true']);
  await git(gitDir, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
}

export async function setHead(gitDir: string, branch: string): Promise<void> {
  await git(gitDir, ['symbolic-ref', 'HEAD', `refs/heads/${safe(branch)}`]);
}

/** Resolves a branch, tag or sha to a commit sha, or undefined. */
export async function resolveCommit(
  gitDir: string,
  ref: string,
): Promise<string | undefined> {
  const r = await git(
    gitDir,
    [
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${safe(ref)}^{commit}`,
    ],
    { okCodes: [1, 128] },
  );
  return r.code === 0 ? r.stdout.toString().trim() : undefined;
}

export async function objectExists(
  gitDir: string,
  sha: string,
): Promise<boolean> {
  const r = await git(gitDir, ['cat-file', '-e', safe(sha)], {
    okCodes: [1, 128],
  });
  return r.code === 0;
}

export async function listRefs(
  gitDir: string,
  prefix = 'refs/',
): Promise<RefInfo[]> {
  const out = await text(gitDir, [
    'for-each-ref',
    '--format=%(refname) %(objectname) %(objecttype)',
    safe(prefix),
  ]);
  return out
    .split('\n')
    .filter(Boolean)
    .map(line => {
      const [ref, sha, type] = line.split(' ');
      return { ref, sha, type };
    });
}

export async function readCommit(
  gitDir: string,
  sha: string,
): Promise<CommitInfo> {
  const raw = await text(gitDir, ['cat-file', 'commit', safe(sha)]);
  const split = raw.indexOf('\n\n');
  const header = raw.slice(0, split).split('\n');
  const info: CommitInfo = {
    sha,
    tree: '',
    parents: [],
    author: parsePerson(''),
    committer: parsePerson(''),
    message: raw.slice(split + 2).replace(/\n$/, ''),
  };
  for (const line of header) {
    const space = line.indexOf(' ');
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === 'tree') info.tree = value;
    else if (key === 'parent') info.parents.push(value);
    else if (key === 'author') info.author = parsePerson(value);
    else if (key === 'committer') info.committer = parsePerson(value);
  }
  return info;
}

const parseTree = (out: Buffer): TreeEntry[] =>
  out
    .toString('utf8')
    .split('\0')
    .filter(Boolean)
    .map(entry => {
      const tab = entry.indexOf('\t');
      const [mode, type, sha, size] = entry.slice(0, tab).split(/\s+/);
      return {
        mode,
        type: type as TreeEntry['type'],
        sha,
        size: size === '-' ? 0 : Number(size),
        path: entry.slice(tab + 1),
      };
    });

/** The tree entry at `filePath` in commit `sha` ('' is the root tree). */
export async function statPath(
  gitDir: string,
  sha: string,
  filePath: string,
): Promise<TreeEntry | undefined> {
  if (filePath === '') {
    return {
      mode: '040000',
      type: 'tree',
      sha: `${sha}^{tree}`,
      size: 0,
      path: '',
    };
  }
  const out = await git(gitDir, [
    'ls-tree',
    '-l',
    '-z',
    safe(sha),
    '--',
    filePath,
  ]);
  return parseTree(out.stdout).find(e => e.path === filePath);
}

/** Children of the directory at `dirPath` in commit `sha`. */
export async function listDir(
  gitDir: string,
  sha: string,
  dirPath: string,
): Promise<TreeEntry[]> {
  const args = ['ls-tree', '-l', '-z', safe(sha)];
  if (dirPath) args.push('--', `${dirPath}/`);
  return parseTree((await git(gitDir, args)).stdout);
}

export async function readBlob(gitDir: string, sha: string): Promise<Buffer> {
  return (await git(gitDir, ['cat-file', 'blob', safe(sha)])).stdout;
}

/** Commit shas reachable from `sha`, newest first (optionally touching `filePath`). */
export async function revList(
  gitDir: string,
  range: string[],
  options: { max?: number; filePath?: string } = {},
): Promise<string[]> {
  const args = [
    'rev-list',
    `--max-count=${options.max ?? 1000}`,
    ...range.map(safe),
  ];
  if (options.filePath) args.push('--', options.filePath);
  return (await text(gitDir, args)).split('\n').filter(Boolean);
}

/** Files changed by a commit relative to its first parent. */
export async function changedFiles(
  gitDir: string,
  sha: string,
): Promise<FileChange[]> {
  const numstat = await text(gitDir, [
    'diff-tree',
    '-r',
    '--root',
    '--no-commit-id',
    '--no-renames',
    '--numstat',
    safe(sha),
  ]);
  const status = await text(gitDir, [
    'diff-tree',
    '-r',
    '--root',
    '--no-commit-id',
    '--no-renames',
    '--name-status',
    safe(sha),
  ]);
  const kinds = new Map<string, FileChange['status']>();
  for (const line of status.split('\n').filter(Boolean)) {
    const [code, name] = line.split('\t');
    kinds.set(
      name,
      ({ A: 'added', D: 'removed' } as const)[code] ?? 'modified',
    );
  }
  return numstat
    .split('\n')
    .filter(Boolean)
    .map(line => {
      const [add, del, filename] = line.split('\t');
      return {
        filename,
        status: kinds.get(filename) ?? 'modified',
        additions: add === '-' ? 0 : Number(add),
        deletions: del === '-' ? 0 : Number(del),
      };
    });
}

export interface WriteFileOptions {
  branch: string;
  /** Current branch head; undefined when the branch does not exist yet. */
  parent?: string;
  filePath: string;
  /** New content, or null to delete the file. */
  content: Buffer | null;
  message: string;
  author: { name: string; email: string };
  committer?: { name: string; email: string };
}

/**
 * Commits one file change straight into the bare repository through a
 * throwaway index, then moves the branch with a compare-and-swap so a
 * concurrent push is never overwritten.
 */
export async function commitFile(
  gitDir: string,
  options: WriteFileOptions,
): Promise<{ commit: string; blob?: string }> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gh-index-'));
  const env = { GIT_INDEX_FILE: path.join(tmp, 'index') };
  try {
    if (options.parent)
      await git(gitDir, ['read-tree', options.parent], { env });
    let blob: string | undefined;
    if (options.content) {
      blob = (
        await text(gitDir, ['hash-object', '-w', '--stdin'], {
          input: options.content,
        })
      ).trim();
      await git(
        gitDir,
        [
          'update-index',
          '--add',
          '--cacheinfo',
          `100644,${blob},${options.filePath}`,
        ],
        { env },
      );
    } else {
      // Mode 0 removes the entry; unlike --force-remove it needs no work tree.
      await git(gitDir, ['update-index', '--index-info'], {
        env,
        input: `0 ${ZERO_SHA}\t${options.filePath}\n`,
      });
    }
    const tree = (await text(gitDir, ['write-tree'], { env })).trim();
    const committer = options.committer ?? options.author;
    const commit = (
      await text(
        gitDir,
        [
          'commit-tree',
          tree,
          ...(options.parent ? ['-p', options.parent] : []),
        ],
        {
          input: options.message,
          env: {
            GIT_AUTHOR_NAME: options.author.name,
            GIT_AUTHOR_EMAIL: options.author.email,
            GIT_COMMITTER_NAME: committer.name,
            GIT_COMMITTER_EMAIL: committer.email,
          },
        },
      )
    ).trim();
    await git(gitDir, [
      'update-ref',
      `refs/heads/${safe(options.branch)}`,
      commit,
      options.parent ?? ZERO_SHA,
    ]);
    return { commit, blob };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

export async function createRef(gitDir: string, ref: string, sha: string) {
  await git(gitDir, ['update-ref', safe(ref), safe(sha), ZERO_SHA]);
}

export async function deleteRef(gitDir: string, ref: string) {
  await git(gitDir, ['update-ref', '-d', safe(ref)]);
}
