import { ApiError, notFound, requireString, validationFailed } from '../errors';
import * as g from '../git';
import type { RepoRecord } from '../model';
import { followPushes } from '../pulls';
import type { ApiRequest, Reply, Router } from '../router';
import { simpleUser, Urls } from '../serialize';
import { Deps, json, ok, paginate, repoFor } from './common';

const D = 'https://docs.github.com/rest';

const enc = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** GitHub wraps base64 content at 60 characters per line. */
const wrap64 = (buf: Buffer) =>
  `${buf.toString('base64').replace(/(.{60})/g, '$1\n')}\n`;

const entryType = (e: g.TreeEntry) => {
  if (e.type === 'tree') return 'dir';
  if (e.type === 'commit') return 'submodule';
  return e.mode === '120000' ? 'symlink' : 'file';
};

function contentItem(
  urls: Urls,
  repo: RepoRecord,
  ref: string,
  e: g.TreeEntry,
) {
  const api = `${urls.api}/repos/${repo.owner.login}/${repo.name}`;
  const web = `${urls.web}/${repo.owner.login}/${repo.name}`;
  const type = entryType(e);
  const self = `${api}/contents/${enc(e.path)}?ref=${encodeURIComponent(ref)}`;
  const git = `${api}/git/${type === 'dir' ? 'trees' : 'blobs'}/${e.sha}`;
  const html = `${web}/${type === 'dir' ? 'tree' : 'blob'}/${ref}/${enc(
    e.path,
  )}`;
  return {
    name: e.path.split('/').pop()!,
    path: e.path,
    sha: e.sha,
    size: e.size,
    url: self,
    html_url: html,
    git_url: git,
    download_url:
      type === 'file'
        ? `${urls.web}/raw/${repo.owner.login}/${repo.name}/${ref}/${enc(
            e.path,
          )}`
        : null,
    type,
    _links: { self, git, html },
  };
}

function person(p: g.Person) {
  return { name: p.name, email: p.email, date: p.date };
}

/** Commit object as `GET /repos/{o}/{r}/commits/{ref}` returns it. */
export async function commitJson(
  deps: Deps,
  repo: RepoRecord,
  sha: string,
  withFiles: boolean,
) {
  const urls = deps.urls();
  const api = `${urls.api}/repos/${repo.owner.login}/${repo.name}`;
  const web = `${urls.web}/${repo.owner.login}/${repo.name}`;
  const info = await g.readCommit(repo.gitDir, sha);
  const byEmail = (email: string) => {
    const user = [...deps.store.users.values()].find(u => u.email === email);
    return user ? simpleUser(user, urls) : null;
  };
  const base = {
    sha,
    node_id: Buffer.from(`04:Commit${sha}`).toString('base64'),
    commit: {
      author: person(info.author),
      committer: person(info.committer),
      message: info.message,
      tree: { sha: info.tree, url: `${api}/git/trees/${info.tree}` },
      url: `${api}/git/commits/${sha}`,
      comment_count: 0,
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    url: `${api}/commits/${sha}`,
    html_url: `${web}/commit/${sha}`,
    comments_url: `${api}/commits/${sha}/comments`,
    author: byEmail(info.author.email),
    committer: byEmail(info.committer.email),
    parents: info.parents.map(p => ({
      sha: p,
      url: `${api}/commits/${p}`,
      html_url: `${web}/commit/${p}`,
    })),
  };
  if (!withFiles) return base;
  const files = await g.changedFiles(repo.gitDir, sha);
  const additions = files.reduce((n, f) => n + f.additions, 0);
  const deletions = files.reduce((n, f) => n + f.deletions, 0);
  return {
    ...base,
    stats: { total: additions + deletions, additions, deletions },
    files: files.map(f => ({
      sha: null,
      filename: f.filename,
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      changes: f.additions + f.deletions,
      blob_url: `${web}/blob/${sha}/${enc(f.filename)}`,
      raw_url: `${web}/raw/${sha}/${enc(f.filename)}`,
      contents_url: `${api}/contents/${enc(f.filename)}?ref=${sha}`,
    })),
  };
}

export async function mustResolve(
  repo: RepoRecord,
  ref: string,
  message = `No commit found for SHA: ${ref}`,
) {
  const sha = await g.resolveCommit(repo.gitDir, ref);
  if (!sha) throw new ApiError(422, message);
  return sha;
}

const isRaw = (req: ApiRequest) =>
  /application\/vnd\.github(\.v3)?\.raw/.test(String(req.headers.accept ?? ''));

/** Contents, refs, commits and branches, all read from the bare repository. */
export function registerGitData(router: Router, deps: Deps): void {
  const C = `${D}/repos/contents`;

  router.add(
    'GET',
    '/repos/:owner/:repo/contents/*path',
    `${C}#get-repository-content`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const ref = req.query.get('ref') || repo.defaultBranch;
      const sha = await g.resolveCommit(repo.gitDir, ref);
      if (!sha) {
        if (!(await g.listRefs(repo.gitDir)).length)
          throw new ApiError(404, 'This repository is empty.');
        throw new ApiError(404, `No commit found for the ref ${ref}`);
      }
      const filePath = p.path.replace(/\/+$/, '');
      const entry = await g.statPath(repo.gitDir, sha, filePath);
      if (!entry) throw notFound();
      const urls = deps.urls();
      if (entry.type === 'tree') {
        const children = await g.listDir(repo.gitDir, sha, filePath);
        return ok(children.map(c => contentItem(urls, repo, ref, c)));
      }
      if (entry.type === 'commit')
        return ok({
          ...contentItem(urls, repo, ref, entry),
          submodule_git_url: null,
        });
      const data = await g.readBlob(repo.gitDir, entry.sha);
      if (isRaw(req)) {
        return {
          status: 200,
          raw: data,
          headers: {
            'content-type': 'application/vnd.github.raw; charset=utf-8',
          },
        };
      }
      if (entry.mode === '120000') {
        return ok({
          ...contentItem(urls, repo, ref, entry),
          target: data.toString('utf8'),
        });
      }
      return ok({
        ...contentItem(urls, repo, ref, entry),
        content: wrap64(data),
        encoding: 'base64',
      });
    },
  );

  const writeContent = async (
    req: ApiRequest,
    p: Record<string, string>,
    remove: boolean,
  ): Promise<Reply> => {
    const repo = repoFor(deps, req, p, 'write');
    const body = await req.body();
    const message = requireString(body, 'message', 'Commit');
    const content = remove
      ? null
      : Buffer.from(requireString(body, 'content', 'Commit'), 'base64');
    const branch =
      typeof body.branch === 'string' ? body.branch : repo.defaultBranch;
    const parent = await g.resolveCommit(repo.gitDir, `refs/heads/${branch}`);
    if (
      !parent &&
      (await g.listRefs(repo.gitDir, 'refs/heads/')).length &&
      typeof body.branch === 'string'
    ) {
      throw new ApiError(404, `Branch ${branch} not found`);
    }
    const filePath = p.path.replace(/\/+$/, '');
    const existing = parent
      ? await g.statPath(repo.gitDir, parent, filePath)
      : undefined;
    if (existing?.type === 'tree')
      throw new ApiError(422, `${filePath} is a directory`);
    if (remove && !existing) throw notFound();
    if (existing && body.sha === undefined) {
      throw validationFailed({
        resource: 'Commit',
        field: 'sha',
        code: 'missing_field',
        message: '"sha" wasn\'t supplied.',
      });
    }
    if (existing && body.sha !== existing.sha) {
      throw new ApiError(409, `${filePath} does not match ${body.sha}`);
    }
    const user = deps.store.user(req.login)!;
    const who = (v: unknown) =>
      v && typeof v === 'object' && 'name' in v && 'email' in v
        ? { name: String((v as any).name), email: String((v as any).email) }
        : undefined;
    const author = who(body.author) ?? {
      name: user.name ?? user.login,
      email: user.email ?? '',
    };
    const { commit } = await g.commitFile(repo.gitDir, {
      branch,
      parent,
      filePath,
      content,
      message,
      author,
      committer: who(body.committer),
    });
    repo.pushedAt = deps.store.now();
    if (
      !parent &&
      !(await g.resolveCommit(repo.gitDir, `refs/heads/${repo.defaultBranch}`))
    ) {
      // The first commit of an empty repository decides its default branch.
      repo.defaultBranch = branch;
      await g.setHead(repo.gitDir, branch);
    }
    const change = {
      ref: `refs/heads/${branch}`,
      before: parent ?? g.ZERO_SHA,
      after: commit,
    };
    deps.dispatch(
      repo,
      'push',
      await deps.payloads.push(repo, { ...change, sender: req.login }),
    );
    await followPushes(deps, repo, [change], req.login, true);
    const entry = await g.statPath(repo.gitDir, commit, filePath);
    const commitBody = await commitJson(deps, repo, commit, false);
    const result = {
      content: entry ? contentItem(deps.urls(), repo, branch, entry) : null,
      commit: {
        sha: commit,
        node_id: commitBody.node_id,
        url: commitBody.commit.url,
        html_url: commitBody.html_url,
        author: commitBody.commit.author,
        committer: commitBody.commit.committer,
        message: commitBody.commit.message,
        tree: commitBody.commit.tree,
        parents: commitBody.parents,
        verification: commitBody.commit.verification,
      },
    };
    return json(remove || existing ? 200 : 201, result);
  };

  router.add(
    'PUT',
    '/repos/:owner/:repo/contents/*path',
    `${C}#create-or-update-file-contents`,
    (req, p) => writeContent(req, p, false),
  );
  router.add(
    'DELETE',
    '/repos/:owner/:repo/contents/*path',
    `${C}#delete-a-file`,
    (req, p) => writeContent(req, p, true),
  );

  registerRefs(router, deps);
  registerCommits(router, deps);
}

function registerRefs(router: Router, deps: Deps): void {
  const R = `${D}/git/refs`;
  const refJson = (repo: RepoRecord, r: g.RefInfo) => {
    const api = `${deps.urls().api}/repos/${repo.owner.login}/${repo.name}`;
    return {
      ref: r.ref,
      node_id: Buffer.from(`04:Ref${repo.id}:${r.ref}`).toString('base64'),
      url: `${api}/git/${enc(r.ref)}`,
      object: {
        sha: r.sha,
        type: r.type,
        url: `${api}/git/${r.type}s/${r.sha}`,
      },
    };
  };
  const find = async (repo: RepoRecord, ref: string) =>
    (await g.listRefs(repo.gitDir, `refs/${ref}`)).find(
      r => r.ref === `refs/${ref}`,
    );

  router.add(
    'GET',
    '/repos/:owner/:repo/git/ref/*ref',
    `${R}#get-a-reference`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const r = await find(repo, p.ref);
      if (!r) throw notFound();
      return ok(refJson(repo, r));
    },
  );

  const matching = async (req: ApiRequest, repo: RepoRecord, prefix: string) =>
    paginate(
      req,
      (await g.listRefs(repo.gitDir))
        .filter(r => r.ref.startsWith(`refs/${prefix}`))
        .map(r => refJson(repo, r)),
    );

  router.add(
    'GET',
    '/repos/:owner/:repo/git/matching-refs/*ref',
    `${R}#list-matching-references`,
    async (req, p) => matching(req, repoFor(deps, req, p), p.ref),
  );

  // The legacy form: an exact ref returns the object, a prefix the list.
  router.add(
    'GET',
    '/repos/:owner/:repo/git/refs/*ref',
    `${R}#get-a-reference`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const exact = p.ref ? await find(repo, p.ref) : undefined;
      if (exact) return ok(refJson(repo, exact));
      const list = await matching(
        req,
        repo,
        p.ref ? `${p.ref.replace(/\/$/, '')}/` : '',
      );
      if (!(list.body as unknown[]).length) throw notFound();
      return list;
    },
  );

  router.add(
    'POST',
    '/repos/:owner/:repo/git/refs',
    `${R}#create-a-reference`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'write');
      const body = await req.body();
      const ref = requireString(body, 'ref', 'Reference');
      const sha = requireString(body, 'sha', 'Reference');
      if (!/^refs\/[^\s]+\/[^\s]+$/.test(ref) || ref.includes('..')) {
        throw new ApiError(422, 'Reference name is not valid');
      }
      if (!(await g.objectExists(repo.gitDir, sha)))
        throw new ApiError(422, 'Object does not exist');
      if ((await g.listRefs(repo.gitDir, ref)).some(r => r.ref === ref)) {
        throw new ApiError(422, 'Reference already exists');
      }
      await g.createRef(repo.gitDir, ref, sha);
      const created = (await find(repo, ref.slice('refs/'.length)))!;
      if (ref.startsWith('refs/tags/') || ref.startsWith('refs/heads/')) {
        deps.dispatch(
          repo,
          'create',
          deps.payloads.create(repo, {
            ref,
            refType: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
            sender: req.login,
          }),
        );
      }
      return json(201, refJson(repo, created));
    },
  );

  router.add(
    'DELETE',
    '/repos/:owner/:repo/git/refs/*ref',
    `${R}#delete-a-reference`,
    async (req, p) => {
      const repo = repoFor(deps, req, p, 'write');
      if (!(await find(repo, p.ref)))
        throw new ApiError(422, 'Reference does not exist');
      await g.deleteRef(repo.gitDir, `refs/${p.ref}`);
      return { status: 204 };
    },
  );
}

function registerCommits(router: Router, deps: Deps): void {
  const C = `${D}/commits/commits`;
  const B = `${D}/branches/branches`;

  router.add(
    'GET',
    '/repos/:owner/:repo/commits',
    `${C}#list-commits`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const start = req.query.get('sha') || repo.defaultBranch;
      const sha = await g.resolveCommit(repo.gitDir, start);
      if (!sha) {
        if (!(await g.listRefs(repo.gitDir)).length)
          throw new ApiError(409, 'Git Repository is empty.');
        throw notFound();
      }
      const shas = await g.revList(repo.gitDir, [sha], {
        filePath: req.query.get('path') ?? undefined,
      });
      const items = await Promise.all(
        shas.map(s => commitJson(deps, repo, s, false)),
      );
      return paginate(req, items);
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/commits/*ref',
    `${C}#get-a-commit`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const sha = await g.resolveCommit(repo.gitDir, p.ref);
      if (!sha) throw new ApiError(422, `No commit found for SHA: ${p.ref}`);
      return ok(await commitJson(deps, repo, sha, true));
    },
  );

  const branchJson = async (
    repo: RepoRecord,
    name: string,
    sha: string,
    full: boolean,
  ) => {
    const urls = deps.urls();
    const api = `${urls.api}/repos/${repo.owner.login}/${repo.name}`;
    const protection = repo.protection.get(name) as
      | { required_status_checks?: { contexts?: string[]; strict?: boolean } }
      | undefined;
    const checks = protection?.required_status_checks;
    const base = {
      name,
      commit: full
        ? await commitJson(deps, repo, sha, false)
        : { sha, url: `${api}/commits/${sha}` },
      protected: protection !== undefined,
      protection: {
        enabled: protection !== undefined,
        required_status_checks: {
          enforcement_level: checks ? 'everyone' : 'off',
          contexts: checks?.contexts ?? [],
          checks: (checks?.contexts ?? []).map(context => ({
            context,
            app_id: null,
          })),
        },
      },
      protection_url: `${api}/branches/${enc(name)}/protection`,
    };
    if (!full) return base;
    return {
      ...base,
      _links: {
        self: `${api}/branches/${enc(name)}`,
        html: `${urls.web}/${repo.owner.login}/${repo.name}/tree/${name}`,
      },
    };
  };

  router.add(
    'GET',
    '/repos/:owner/:repo/branches',
    `${B}#list-branches`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const refs = await g.listRefs(repo.gitDir, 'refs/heads/');
      const items = await Promise.all(
        refs.map(r =>
          branchJson(repo, r.ref.slice('refs/heads/'.length), r.sha, false),
        ),
      );
      const only = req.query.get('protected');
      return paginate(
        req,
        only === null ? items : items.filter(b => String(b.protected) === only),
      );
    },
  );

  router.add(
    'GET',
    '/repos/:owner/:repo/branches/*branch',
    `${B}#get-a-branch`,
    async (req, p) => {
      const repo = repoFor(deps, req, p);
      const sha = await g.resolveCommit(repo.gitDir, `refs/heads/${p.branch}`);
      if (!sha) throw new ApiError(404, 'Branch not found');
      return ok(await branchJson(repo, p.branch, sha, true));
    },
  );
}
