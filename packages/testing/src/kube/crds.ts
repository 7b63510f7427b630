import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KubeObject, isObject } from './types';

/** Finds the repository root (the directory whose package.json declares workspaces). */
// Test tooling only, always run from source (never bundled), so __dirname is reliable.
// eslint-disable-next-line no-restricted-syntax
function repoRoot(from: string = __dirname): string | undefined {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).workspaces) return dir;
      } catch {
        // not a JSON package.json: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Default directory of the vendored CRDs: `<repo root>/../shared/crds`,
 * overridable with the `KUBE_DOUBLE_CRD_DIR` environment variable.
 */
export function defaultCrdDir(): string {
  if (process.env.KUBE_DOUBLE_CRD_DIR)
    return resolve(process.env.KUBE_DOUBLE_CRD_DIR);
  const root = repoRoot() ?? process.cwd();
  return resolve(root, '..', 'shared', 'crds');
}

/** Parses every non-empty YAML (or JSON) document of a string. */
export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map(d => {
      if (d.errors.length) throw d.errors[0];
      return d.toJS({ maxAliasCount: -1 });
    })
    .filter(isObject) as KubeObject[];
}

/**
 * Reads CRD manifests from a file path; relative paths resolve against
 * `dir` (default {@link defaultCrdDir}), e.g. `cluster.x-k8s.io/clusters.yaml`.
 */
export function readCrdFile(
  path: string,
  dir: string = defaultCrdDir(),
): KubeObject[] {
  const full = isAbsolute(path) ? path : join(dir, path);
  return parseManifests(readFileSync(full, 'utf8')).filter(
    o => o.kind === 'CustomResourceDefinition',
  );
}

/** Lists the YAML files below a directory, recursively, sorted. */
export function listManifestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...listManifestFiles(full));
    else if (/\.(ya?ml|json)$/.test(entry)) out.push(full);
  }
  return out;
}
