import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as g from './git';
import type { RepoRecord, Store } from './model';
import { Role, roleAtLeast } from './model';

/** `/{owner}/{repo}(.git)/{info/refs|git-upload-pack|git-receive-pack}` */
export const GIT_PATH =
  /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;

export const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface RefChange {
  ref: string;
  before: string;
  after: string;
}

/** Token from basic auth: GitHub takes it as password (any user) or as user. */
export function basicToken(header: string | undefined): string | undefined {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  return password && password !== 'x-oauth-basic' ? password : user;
}

function deny(res: ServerResponse, status: number, message: string) {
  const headers: Record<string, string> = { 'content-type': 'text/plain' };
  if (status === 401) headers['www-authenticate'] = 'Basic realm="GitHub"';
  res.writeHead(status, headers);
  res.end(`${message}\n`);
  return status;
}

const refMap = async (repo: RepoRecord) =>
  new Map((await g.listRefs(repo.gitDir)).map(r => [r.ref, r.sha]));

/**
 * Serves one smart HTTP request through `git http-backend` (CGI), after
 * GitHub-like authorization. Resolves with the status sent and, for
 * pushes, the refs that changed.
 */
export async function serveGit(
  req: IncomingMessage,
  res: ServerResponse,
  match: RegExpExecArray,
  store: Store,
  gitRoot: string,
  /** Runs after a push lands and before the response ends, so clients see its effects. */
  onPushed: (
    repo: RepoRecord,
    changes: RefChange[],
    login: string,
  ) => Promise<void>,
): Promise<{ status: number; login?: string }> {
  const [, owner, name, action] = match;
  const url = new URL(req.url ?? '/', 'http://x');
  const service =
    action === 'info/refs' ? url.searchParams.get('service') : action;
  const token = basicToken(req.headers.authorization);
  const login = token ? store.tokens.get(token) : undefined;
  if (token && !login)
    return { status: deny(res, 401, 'Invalid username or token.') };
  const repo = store.repo(owner, name);
  // Anonymous callers may read public repositories only.
  let role: Role | undefined;
  if (repo && login) role = store.role(login, repo);
  else if (repo && !repo.private) role = 'read';
  const push = service === 'git-receive-pack';
  if (!repo || !role || (push && !login)) {
    // Like GitHub: ask for credentials before revealing anything.
    if (!login) return { status: deny(res, 401, 'Authentication required') };
    return { status: deny(res, 404, 'Repository not found.') };
  }
  if (push && !roleAtLeast(role, 'write')) {
    return {
      status: deny(
        res,
        403,
        `Permission to ${repo.owner.login}/${repo.name}.git denied to ${login}.`,
      ),
      login,
    };
  }
  if (service !== 'git-upload-pack' && service !== 'git-receive-pack') {
    return { status: deny(res, 403, 'Dumb HTTP is not supported.'), login };
  }

  const before =
    push && action !== 'info/refs' ? await refMap(repo) : undefined;
  const relative = repo.gitDir.slice(gitRoot.length);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: gitRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    REMOTE_USER: login ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    PATH_INFO: `${relative}/${action}`,
    QUERY_STRING: url.search.slice(1),
    REQUEST_METHOD: req.method ?? 'GET',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'http.receivepack',
    GIT_CONFIG_VALUE_0: 'true',
    // As on GitHub, `refs/pull/*` can be fetched but not pushed.
    GIT_CONFIG_KEY_1: 'receive.hideRefs',
    GIT_CONFIG_VALUE_1: 'refs/pull',
  };
  if (req.headers['content-length'])
    env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding'])
    env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  if (req.headers['git-protocol'])
    env.GIT_PROTOCOL = String(req.headers['git-protocol']);

  const status = await new Promise<number>((resolve, reject) => {
    const child = spawn(HTTP_BACKEND, [], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let head = Buffer.alloc(0);
    let started = false;
    let code = 200;
    child.stdout.on('data', (chunk: Buffer) => {
      if (started) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      started = true;
      const headers: Record<string, string> = {};
      for (const line of head
        .subarray(0, end)
        .toString('latin1')
        .split('\r\n')) {
        const colon = line.indexOf(':');
        const key = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (key === 'status') code = Number(value.split(' ')[0]);
        else headers[key] = value;
      }
      res.writeHead(code, headers);
      res.write(head.subarray(end + 4));
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => {
      if (!started) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        code = 500;
      }
      const finish = () => {
        res.end();
        resolve(code);
      };
      if (!before) {
        finish();
        return;
      }
      void refMap(repo)
        .then(after => {
          const changes: RefChange[] = [];
          for (const ref of new Set([...before.keys(), ...after.keys()])) {
            const b = before.get(ref) ?? g.ZERO_SHA;
            const a = after.get(ref) ?? g.ZERO_SHA;
            if (a !== b) changes.push({ ref, before: b, after: a });
          }
          return changes.length ? onPushed(repo, changes, login!) : undefined;
        })
        .catch(() => undefined)
        .finally(finish);
    });
    child.stdin.on('error', () => {});
    req.pipe(child.stdin);
  });
  return { status, login };
}
