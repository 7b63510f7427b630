export type Capability =
  | 'create'
  | 'read'
  | 'update'
  | 'patch'
  | 'delete'
  | 'list'
  | 'sudo'
  | 'deny';

/** One `path "..." { capabilities = [...] }` stanza. */
export interface PolicyRule {
  /** Vault glob: a trailing `*` is a prefix match, `+` one path segment. */
  path: string;
  capabilities: Capability[];
}

/** Policy name to its rules. */
export type PolicySet = Record<string, PolicyRule[]>;

/** Vault's built-in `default` policy, reduced to the token self-service paths. */
export const DEFAULT_POLICY: PolicyRule[] = [
  { path: 'auth/token/lookup-self', capabilities: ['read'] },
  { path: 'auth/token/renew-self', capabilities: ['update'] },
  { path: 'auth/token/revoke-self', capabilities: ['update'] },
  { path: 'sys/capabilities-self', capabilities: ['update'] },
];

function matches(rule: string, path: string): boolean {
  const glob = rule.endsWith('*');
  const body = glob ? rule.slice(0, -1) : rule;
  const ruleSegs = body.split('/');
  const pathSegs = path.split('/');
  for (let i = 0; i < ruleSegs.length; i++) {
    const r = ruleSegs[i];
    const last = i === ruleSegs.length - 1;
    const p = pathSegs[i];
    if (p === undefined) return false;
    if (r === '+') continue;
    if (last && glob) return p.startsWith(r);
    if (r !== p) return false;
  }
  return glob || ruleSegs.length === pathSegs.length;
}

/** Longer, non-glob rules are more specific (a simplification of Vault's priority). */
const specificity = (rule: string) =>
  rule.replace(/\*$/, '').length * 2 +
  (rule.endsWith('*') ? 0 : 1) -
  (rule.split('+').length - 1);

/** Capabilities the named policies grant on `path` (without `/v1/`). */
export function capabilities(
  set: PolicySet,
  names: string[],
  path: string,
): Set<Capability> {
  if (names.includes('root')) {
    return new Set<Capability>([
      'create',
      'read',
      'update',
      'patch',
      'delete',
      'list',
      'sudo',
    ]);
  }
  const granted = new Set<Capability>();
  for (const name of names) {
    const rules =
      name === 'default'
        ? [...DEFAULT_POLICY, ...(set.default ?? [])]
        : set[name] ?? [];
    const best = rules
      .filter(r => matches(r.path, path))
      .sort((a, b) => specificity(b.path) - specificity(a.path))[0];
    if (!best) continue;
    if (best.capabilities.includes('deny')) return new Set(['deny']);
    best.capabilities.forEach(c => granted.add(c));
  }
  return granted;
}

export function allowed(
  set: PolicySet,
  names: string[],
  path: string,
  need: Capability[],
): boolean {
  const caps = capabilities(set, names, path);
  if (caps.has('deny')) return false;
  return need.some(c => caps.has(c));
}
