/**
 * What a repository's PipelineRun may ask for. The portal creates runs with
 * its own cluster credential, and a repository's `.tekton` files are written
 * by anyone with write access to it (and by forks once approved), so a run is
 * checked before it is created: it must stay inside its team's namespace, as
 * the team's pipeline service account, on an ordinary pod.
 *
 * The check follows the Tekton v1 CRDs (and the v1beta1 spellings the API
 * server still serves), field by field, where a service account, a pod
 * template, a container security context, a volume or a remote reference can
 * appear. The namespace's Pod Security Admission level stays the backstop for
 * the pods Tekton creates; this check refuses a run before anything exists,
 * with messages a developer can act on, and covers what admission cannot see
 * (service accounts, remote resolution, custom tasks, volume claims).
 *
 * Deliberately allowed, because none of them leaves the namespace:
 * - scheduling: `nodeSelector`, `tolerations`, `affinity`,
 *   `topologySpreadConstraints`, `schedulerName`, `priorityClassName`,
 *   `runtimeClassName` (the cluster's quotas and admission decide);
 * - `computeResources` (steps, sidecars, task runs): the namespace's
 *   LimitRange and ResourceQuota bound them;
 * - `runAsUser: 0` and other user/group ids: root in a container with no
 *   added capabilities, no privilege and no host namespace is not an escape;
 *   it is left to the namespace's Pod Security level (baseline allows it,
 *   restricted refuses it);
 * - `hostUsers: false` (a user namespace is a hardening, not an escape);
 * - `sysctls`: the kubelet only accepts the namespaced safe set unless an
 *   admin allows more on the node;
 * - secrets, config maps and claims of the run's own namespace (workspaces,
 *   volumes, `env.valueFrom`), the pod's own service account token in a
 *   projected volume, inline CSI volumes (a driver must opt in to them);
 * - tasks, pipelines and step actions named without a resolver: they are the
 *   ones installed in the team's namespace.
 */

/** What {@link checkRunSafety} allows. */
export interface RunSafetyOptions {
  /** The only service account a run may use: the team namespace's pipeline account. */
  serviceAccount: string;
  /** The namespace the run is created in (a `cluster` resolver may only read from it). */
  namespace: string;
  /** Remote resolution targets allowed by config, per resolver. Anything else is refused. */
  allowedResolvers?: {
    /** https URL prefixes, e.g. 'https://raw.githubusercontent.com/tektoncd/catalog/'. */
    http?: string[];
    /** https repository URL prefixes, e.g. 'https://github.com/tektoncd/catalog'. */
    git?: string[];
    /** OCI reference prefixes, e.g. 'ghcr.io/tektoncd/catalog/'. */
    bundles?: string[];
    /** Catalog names, or '*' for any catalog of the cluster's hub. */
    hub?: string[];
  };
}

/** One refused field of a run. */
export interface RunSafetyViolation {
  /** Where, e.g. 'spec.taskRunTemplate.podTemplate.hostNetwork'. */
  path: string;
  /** What is wrong and what to do, for the developer who wrote the file. */
  message: string;
}

/** Objects deeper than this are refused (the shipped runs nest about 10 deep). */
const MAX_DEPTH = 32;
/** Values (objects, lists and scalars) a run may hold in all. */
const MAX_VALUES = 100_000;
/** Pipeline tasks (tasks and finally, nested pipelines included). */
const MAX_TASKS = 500;
/** Violations listed; the rest are counted in one last violation. */
const MAX_VIOLATIONS = 100;

const ROOT = '(root)';

type Obj = Record<string, unknown>;

const isMap = (v: unknown): v is Obj =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** An own property only: an inherited one is not part of the document. */
const get = (m: Obj, key: string): unknown =>
  Object.prototype.hasOwnProperty.call(m, key) ? m[key] : undefined;

const absent = (v: unknown) => v === undefined || v === null;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const part = IDENTIFIER.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (path === ROOT) return part.startsWith('[') ? `${ROOT}${part}` : part;
  return part.startsWith('[') ? `${path}${part}` : `${path}.${part}`;
}

/** A value as JSON, cut short: messages end up in commit statuses. */
function quote(v: unknown): string {
  const json = JSON.stringify(v) ?? 'undefined';
  return json.length > 100 ? `${json.slice(0, 97)}...` : json;
}

class Checker {
  readonly violations: RunSafetyViolation[] = [];
  private omitted = 0;
  private tasks = 0;

  constructor(readonly options: RunSafetyOptions) {}

  add(path: string, message: string) {
    if (this.violations.length < MAX_VIOLATIONS) {
      this.violations.push({ path, message });
    } else {
      this.omitted += 1;
    }
  }

  /** Counts a pipeline task; false (refused once) past MAX_TASKS. */
  countTask(path: string): boolean {
    this.tasks += 1;
    if (this.tasks === MAX_TASKS + 1) {
      this.add(
        path,
        `the run has more than ${MAX_TASKS} pipeline tasks; split the pipeline`,
      );
    }
    return this.tasks <= MAX_TASKS;
  }

  result(): RunSafetyViolation[] {
    if (this.omitted === 0) return this.violations;
    return [
      ...this.violations,
      {
        path: ROOT,
        message: `${this.omitted} more violations are not listed`,
      },
    ];
  }

  /** The mapping at `path`, undefined when unset; a non-mapping is refused. */
  map(value: unknown, path: string): Obj | undefined {
    if (absent(value)) return undefined;
    if (isMap(value)) return value;
    this.add(path, `${path} must be a mapping, not ${kindOf(value)}`);
    return undefined;
  }

  /** The list at `path`, undefined when unset; a non-list is refused. */
  list(value: unknown, path: string): unknown[] | undefined {
    if (absent(value)) return undefined;
    if (Array.isArray(value)) return value;
    this.add(path, `${path} must be a list, not ${kindOf(value)}`);
    return undefined;
  }

  /** Whether the boolean at `path` is true; a non-boolean is refused. */
  isTrue(value: unknown, path: string): boolean {
    if (absent(value) || typeof value === 'boolean') return value === true;
    this.add(path, `${path} must be true or false, not ${kindOf(value)}`);
    return false;
  }

  /** The string at `path`, undefined when unset; a non-string is refused. */
  string(value: unknown, path: string): string | undefined {
    if (absent(value)) return undefined;
    if (typeof value === 'string') return value;
    this.add(path, `${path} must be a string, not ${kindOf(value)}`);
    return undefined;
  }
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return `the ${typeof value} ${quote(value)}`;
}

/**
 * Bounds the work before the field checks: an iterative walk (no recursion,
 * so no stack overflow) that stops at the first value nested deeper than
 * MAX_DEPTH (a cycle is one) or once MAX_VALUES values were seen (shared
 * subtrees count each time they are reached).
 */
function measure(run: unknown): RunSafetyViolation | undefined {
  interface Node {
    value: unknown;
    depth: number;
    parent?: Node;
    key?: string | number;
  }
  const pathOf = (node: Node): string => {
    const keys: (string | number)[] = [];
    for (let n: Node | undefined = node; n?.parent; n = n.parent) {
      keys.push(n.key!);
    }
    return keys.reverse().reduce<string>((p, k) => at(p, k), ROOT);
  };
  const stack: Node[] = [{ value: run, depth: 0 }];
  let values = 1;
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { value, depth } = node;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) {
      return {
        path: pathOf(node),
        message: `the run nests deeper than ${MAX_DEPTH} levels here; a PipelineRun never needs that`,
      };
    }
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.entries(value);
    values += entries.length;
    if (values > MAX_VALUES) {
      return {
        path: ROOT,
        message: `the run holds more than ${MAX_VALUES} values; split the pipeline`,
      };
    }
    for (const [key, child] of entries) {
      stack.push({ value: child, depth: depth + 1, parent: node, key });
    }
  }
  return undefined;
}

/**
 * Checks a rendered PipelineRun (tekton.dev/v1) from an untrusted file:
 * one violation per field that could take the run out of its team namespace
 * (host namespaces and paths, privileged or escalating containers, another
 * service account, remote resolution outside the allow-list, custom or
 * cluster-scoped tasks, another controller). Never throws: a value of the
 * wrong shape is a violation too. An empty list means the run may be created,
 * with {@link withPipelineServiceAccount} applied.
 */
export function checkRunSafety(
  run: unknown,
  options: RunSafetyOptions,
): RunSafetyViolation[] {
  const tooBig = measure(run);
  if (tooBig) return [tooBig];
  const c = new Checker(options);
  try {
    checkRun(c, run);
  } catch (e) {
    // Not reached with parsed YAML or JSON; an exotic object (a getter that
    // throws, a proxy) is refused rather than let through.
    c.add(ROOT, `the run could not be checked: ${String(e)}`);
  }
  return c.result();
}

/**
 * The run with `spec.taskRunTemplate.serviceAccountName` set to
 * `serviceAccount` where the file leaves it unset (or empty), so every
 * TaskRun uses the pipeline account instead of the namespace's default one.
 * Does not mutate the input (which may be frozen); a run whose `spec` or
 * `taskRunTemplate` is not a mapping is returned as it is, for
 * {@link checkRunSafety} to refuse.
 */
export function withPipelineServiceAccount(
  run: Record<string, any>,
  serviceAccount: string,
): Record<string, any> {
  const spec = isMap(run) ? get(run, 'spec') : undefined;
  if (!isMap(spec)) return run;
  const template = get(spec, 'taskRunTemplate');
  if (!absent(template) && !isMap(template)) return run;
  const current = isMap(template) ? get(template, 'serviceAccountName') : null;
  if (!absent(current) && current !== '') return run;
  return {
    ...run,
    spec: {
      ...spec,
      taskRunTemplate: {
        ...(isMap(template) ? template : {}),
        serviceAccountName: serviceAccount,
      },
    },
  };
}

function checkRun(c: Checker, value: unknown) {
  if (!isMap(value)) {
    c.add(ROOT, `the run must be a mapping, not ${kindOf(value)}`);
    return;
  }
  const run = value;
  const apiVersion = get(run, 'apiVersion');
  if (apiVersion !== 'tekton.dev/v1') {
    c.add(
      'apiVersion',
      `apiVersion is ${quote(apiVersion ?? null)}; runs are tekton.dev/v1`,
    );
  }
  const kind = get(run, 'kind');
  if (kind !== 'PipelineRun') {
    c.add('kind', `kind is ${quote(kind ?? null)}; runs are PipelineRuns`);
  }

  const metadata = c.map(get(run, 'metadata'), 'metadata');
  if (metadata) {
    const namespace = c.string(
      get(metadata, 'namespace'),
      'metadata.namespace',
    );
    if (namespace !== undefined && namespace !== c.options.namespace) {
      c.add(
        'metadata.namespace',
        `runs are created in the team namespace ${quote(
          c.options.namespace,
        )}, not ${quote(namespace)}; remove metadata.namespace`,
      );
    }
    // Tekton copies the run's annotations to its TaskRuns and their pods.
    checkAnnotations(c, get(metadata, 'annotations'), 'metadata.annotations');
  }

  const spec = c.map(get(run, 'spec'), 'spec');
  if (!spec) {
    if (absent(get(run, 'spec'))) c.add('spec', 'the run has no spec');
    return;
  }

  const managedBy = c.string(get(spec, 'managedBy'), 'spec.managedBy');
  if (managedBy !== undefined && managedBy !== 'tekton.dev/pipeline') {
    c.add(
      'spec.managedBy',
      `managedBy ${quote(
        managedBy,
      )} hands the run to another controller (which may run it elsewhere); remove it`,
    );
  }

  const template = c.map(get(spec, 'taskRunTemplate'), 'spec.taskRunTemplate');
  if (template) {
    checkServiceAccount(
      c,
      get(template, 'serviceAccountName'),
      'spec.taskRunTemplate.serviceAccountName',
    );
    checkPodTemplate(
      c,
      get(template, 'podTemplate'),
      'spec.taskRunTemplate.podTemplate',
    );
  }

  // tekton.dev/v1beta1 spellings: a v1 API server drops them, but they are
  // refused on the same terms so that no version of the run can use them.
  checkServiceAccount(
    c,
    get(spec, 'serviceAccountName'),
    'spec.serviceAccountName',
  );
  c.list(get(spec, 'serviceAccountNames'), 'spec.serviceAccountNames')?.forEach(
    (entry, i) => {
      const path = at('spec.serviceAccountNames', i);
      const m = c.map(entry, path);
      if (m) {
        checkServiceAccount(
          c,
          get(m, 'serviceAccountName'),
          at(path, 'serviceAccountName'),
        );
      }
    },
  );
  checkPodTemplate(c, get(spec, 'podTemplate'), 'spec.podTemplate');

  c.list(get(spec, 'taskRunSpecs'), 'spec.taskRunSpecs')?.forEach((s, i) =>
    checkTaskRunSpec(c, s, at('spec.taskRunSpecs', i)),
  );

  checkRef(c, get(spec, 'pipelineRef'), 'spec.pipelineRef', 'pipelineRef');
  checkPipelineSpec(c, get(spec, 'pipelineSpec'), 'spec.pipelineSpec');
  checkWorkspaceBindings(c, get(spec, 'workspaces'), 'spec.workspaces');
}

function checkServiceAccount(c: Checker, value: unknown, path: string) {
  const name = c.string(value, path);
  // Unset or empty: withPipelineServiceAccount fills in the pipeline account.
  if (name === undefined || name === '') return;
  if (name !== c.options.serviceAccount) {
    c.add(
      path,
      `runs use the namespace's pipeline service account ${quote(
        c.options.serviceAccount,
      )}, not ${quote(name)}; remove serviceAccountName`,
    );
  }
}

function checkTaskRunSpec(c: Checker, value: unknown, path: string) {
  const s = c.map(value, path);
  if (!s) return;
  checkServiceAccount(
    c,
    get(s, 'serviceAccountName'),
    at(path, 'serviceAccountName'),
  );
  checkServiceAccount(
    c,
    get(s, 'taskServiceAccountName'),
    at(path, 'taskServiceAccountName'),
  );
  checkPodTemplate(c, get(s, 'podTemplate'), at(path, 'podTemplate'));
  checkPodTemplate(c, get(s, 'taskPodTemplate'), at(path, 'taskPodTemplate'));
  // v1 overrides only carry computeResources (left to the namespace's
  // LimitRange and ResourceQuota); a security context is refused on the same
  // terms as a step's should a version accept one.
  for (const key of [
    'stepSpecs',
    'sidecarSpecs',
    'stepOverrides',
    'sidecarOverrides',
  ]) {
    c.list(get(s, key), at(path, key))?.forEach((o, i) =>
      checkContainer(c, o, at(at(path, key), i)),
    );
  }
  const metadata = c.map(get(s, 'metadata'), at(path, 'metadata'));
  if (metadata) {
    checkAnnotations(
      c,
      get(metadata, 'annotations'),
      at(at(path, 'metadata'), 'annotations'),
    );
  }
}

// Pods -----------------------------------------------------------------------

const HOST_NAMESPACES: Record<string, string> = {
  hostNetwork: "the node's network",
  hostPID: "the node's processes",
  hostIPC: "the node's shared memory",
};

function checkPodTemplate(c: Checker, value: unknown, path: string) {
  const pod = c.map(value, path);
  if (!pod) return;
  for (const [field, what] of Object.entries(HOST_NAMESPACES)) {
    if (c.isTrue(get(pod, field), at(path, field))) {
      c.add(
        at(path, field),
        `${field}: true gives the task's pod ${what}; runs may not use the node's namespaces`,
      );
    }
  }
  // hostUsers: false (a user namespace) only hardens the pod; scheduling
  // (nodeSelector, tolerations, affinity, ...) is not an escape.
  checkSecurityOptions(
    c,
    c.map(get(pod, 'securityContext'), at(path, 'securityContext')),
    at(path, 'securityContext'),
  );
  checkVolumes(c, get(pod, 'volumes'), at(path, 'volumes'));
}

/** Checks a step, a sidecar, a step template or an override. */
function checkContainer(c: Checker, value: unknown, path: string) {
  const container = c.map(value, path);
  if (!container) return;
  const scPath = at(path, 'securityContext');
  const sc = c.map(get(container, 'securityContext'), scPath);
  if (sc) {
    if (c.isTrue(get(sc, 'privileged'), at(scPath, 'privileged'))) {
      c.add(
        at(scPath, 'privileged'),
        'privileged: true gives the container the whole node; runs may not use it',
      );
    }
    const escalation = at(scPath, 'allowPrivilegeEscalation');
    if (c.isTrue(get(sc, 'allowPrivilegeEscalation'), escalation)) {
      c.add(
        escalation,
        'allowPrivilegeEscalation: true lets a process gain more privileges than its parent (setuid binaries); remove it',
      );
    }
    const caps = c.map(get(sc, 'capabilities'), at(scPath, 'capabilities'));
    if (caps) {
      const addPath = at(at(scPath, 'capabilities'), 'add');
      const added = c.list(get(caps, 'add'), addPath);
      if (added && added.length > 0) {
        c.add(
          addPath,
          `capabilities.add ${quote(
            added,
          )}: runs may not add Linux capabilities (dropping them is fine)`,
        );
      }
    }
    const procMount = c.string(get(sc, 'procMount'), at(scPath, 'procMount'));
    if (procMount === 'Unmasked') {
      c.add(
        at(scPath, 'procMount'),
        "procMount: Unmasked exposes the node's kernel settings in /proc; remove it",
      );
    }
    checkSecurityOptions(c, sc, scPath);
  }
  c.list(get(container, 'ports'), at(path, 'ports'))?.forEach((p, i) => {
    const portPath = at(at(path, 'ports'), i);
    const port = c.map(p, portPath);
    const hostPort = port && get(port, 'hostPort');
    if (port && !absent(hostPort) && hostPort !== 0) {
      c.add(
        at(portPath, 'hostPort'),
        `hostPort ${quote(
          hostPort,
        )} opens a port on the node; runs may not use host ports`,
      );
    }
  });
}

/** SELinux types a container may ask for (Pod Security baseline's list). */
const SELINUX_TYPES = new Set([
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);

/** The confinement options a pod and a container security context share. */
function checkSecurityOptions(c: Checker, sc: Obj | undefined, path: string) {
  if (!sc) return;
  const selPath = at(path, 'seLinuxOptions');
  const sel = c.map(get(sc, 'seLinuxOptions'), selPath);
  if (sel) {
    const type = c.string(get(sel, 'type'), at(selPath, 'type'));
    if (type && !SELINUX_TYPES.has(type)) {
      c.add(
        at(selPath, 'type'),
        `SELinux type ${quote(type)} is not a container type (${[
          ...SELINUX_TYPES,
        ].join(', ')}); leave it unset`,
      );
    }
    for (const field of ['user', 'role']) {
      const v = c.string(get(sel, field), at(selPath, field));
      if (v) {
        c.add(
          at(selPath, field),
          `seLinuxOptions.${field} changes the container's SELinux confinement; leave it unset`,
        );
      }
    }
  }
  for (const [field, what] of [
    ['seccompProfile', 'the system call filter'],
    ['appArmorProfile', 'the AppArmor profile'],
  ]) {
    const profilePath = at(path, field);
    const profile = c.map(get(sc, field), profilePath);
    const type =
      profile && c.string(get(profile, 'type'), at(profilePath, 'type'));
    if (type === 'Unconfined') {
      c.add(
        at(profilePath, 'type'),
        `${field} type Unconfined turns off ${what}; use RuntimeDefault or leave it unset`,
      );
    }
  }
  const winPath = at(path, 'windowsOptions');
  const win = c.map(get(sc, 'windowsOptions'), winPath);
  if (win && c.isTrue(get(win, 'hostProcess'), at(winPath, 'hostProcess'))) {
    c.add(
      at(winPath, 'hostProcess'),
      'windowsOptions.hostProcess: true runs the container as a process of the node; remove it',
    );
  }
}

/** Annotations that still change a pod's confinement when Tekton copies them to it. */
function checkAnnotations(c: Checker, value: unknown, path: string) {
  const annotations = c.map(value, path);
  if (!annotations) return;
  for (const [key, v] of Object.entries(annotations)) {
    if (typeof v !== 'string' || v.trim().toLowerCase() !== 'unconfined') {
      continue;
    }
    if (
      key.startsWith('container.apparmor.security.beta.kubernetes.io/') ||
      key.startsWith('container.seccomp.security.alpha.kubernetes.io/') ||
      key === 'seccomp.security.alpha.kubernetes.io/pod'
    ) {
      c.add(
        at(path, key),
        `the annotation ${key}: ${v} turns off the pod's confinement; remove it`,
      );
    }
  }
}

// Volumes --------------------------------------------------------------------

/**
 * Volume sources a run may declare: Pod Security restricted's list (their
 * data is the namespace's own, or an admin-installed CSI driver's) and
 * `image` (an image's files, as a step's image). hostPath and the network
 * and device sources (nfs, iscsi, rbd, cephfs, gitRepo, ...) are refused.
 */
const VOLUME_SOURCES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** What a workspace binding of a PipelineRun may be. */
const WORKSPACE_SOURCES = new Set([
  'configMap',
  'csi',
  'emptyDir',
  'persistentVolumeClaim',
  'projected',
  'secret',
  'volumeClaimTemplate',
]);

function refuseSource(
  c: Checker,
  path: string,
  source: string,
  allowed: Set<string>,
) {
  if (source === 'hostPath') {
    c.add(
      path,
      'hostPath mounts a directory of the node; use a workspace (volumeClaimTemplate or emptyDir) instead',
    );
  } else {
    c.add(
      path,
      `${quote(source)} is not a source a run may use (allowed: ${[
        ...allowed,
      ].join(', ')})`,
    );
  }
}

function checkVolumes(c: Checker, value: unknown, path: string) {
  c.list(value, path)?.forEach((v, i) => {
    const volumePath = at(path, i);
    const volume = c.map(v, volumePath);
    if (!volume) return;
    for (const key of Object.keys(volume)) {
      if (key === 'name') continue;
      if (!VOLUME_SOURCES.has(key)) {
        refuseSource(c, at(volumePath, key), key, VOLUME_SOURCES);
      } else if (key === 'ephemeral') {
        const ephemeralPath = at(volumePath, 'ephemeral');
        const ephemeral = c.map(get(volume, key), ephemeralPath);
        if (ephemeral) {
          checkClaimTemplate(
            c,
            get(ephemeral, 'volumeClaimTemplate'),
            at(ephemeralPath, 'volumeClaimTemplate'),
          );
        }
      }
    }
  });
}

function checkWorkspaceBindings(c: Checker, value: unknown, path: string) {
  c.list(value, path)?.forEach((w, i) => {
    const bindingPath = at(path, i);
    const binding = c.map(w, bindingPath);
    if (!binding) return;
    for (const key of Object.keys(binding)) {
      if (key === 'name' || key === 'subPath') continue;
      if (!WORKSPACE_SOURCES.has(key)) {
        refuseSource(c, at(bindingPath, key), key, WORKSPACE_SOURCES);
      } else if (key === 'volumeClaimTemplate') {
        checkClaimTemplate(c, get(binding, key), at(bindingPath, key));
      }
    }
  });
}

/** A claim the run creates: from a storage class, never a named volume. */
function checkClaimTemplate(c: Checker, value: unknown, path: string) {
  const template = c.map(value, path);
  if (!template) return;
  const specPath = at(path, 'spec');
  const spec = c.map(get(template, 'spec'), specPath);
  if (!spec) return;
  const volumeName = c.string(
    get(spec, 'volumeName'),
    at(specPath, 'volumeName'),
  );
  if (volumeName) {
    c.add(
      at(specPath, 'volumeName'),
      `volumeName binds the claim to the PersistentVolume ${quote(
        volumeName,
      )}, which is cluster-wide (another team's data or a node's disk); let the storage class provide one`,
    );
  }
  const refPath = at(specPath, 'dataSourceRef');
  const ref = c.map(get(spec, 'dataSourceRef'), refPath);
  const namespace =
    ref && c.string(get(ref, 'namespace'), at(refPath, 'namespace'));
  if (namespace !== undefined && namespace !== c.options.namespace) {
    c.add(
      at(refPath, 'namespace'),
      `the claim copies data from the namespace ${quote(
        namespace,
      )}; a run may only use data of ${quote(c.options.namespace)}`,
    );
  }
}

// Pipelines and tasks --------------------------------------------------------

function checkPipelineSpec(c: Checker, value: unknown, path: string) {
  const spec = c.map(value, path);
  if (!spec) return;
  for (const key of ['tasks', 'finally']) {
    const tasks = c.list(get(spec, key), at(path, key));
    if (!tasks) continue;
    for (let i = 0; i < tasks.length; i++) {
      if (!c.countTask(at(path, key))) return;
      checkPipelineTask(c, tasks[i], at(at(path, key), i));
    }
  }
}

function checkPipelineTask(c: Checker, value: unknown, path: string) {
  const task = c.map(value, path);
  if (!task) return;
  checkTaskRef(c, get(task, 'taskRef'), at(path, 'taskRef'));
  checkEmbeddedTask(c, get(task, 'taskSpec'), at(path, 'taskSpec'));
  // Pipelines in pipelines: checked as the run's own.
  checkRef(c, get(task, 'pipelineRef'), at(path, 'pipelineRef'), 'pipelineRef');
  checkPipelineSpec(c, get(task, 'pipelineSpec'), at(path, 'pipelineSpec'));
}

function checkTaskRef(c: Checker, value: unknown, path: string) {
  const ref = c.map(value, path);
  if (!ref) return;
  const kind = c.string(get(ref, 'kind'), at(path, 'kind'));
  if (kind !== undefined && kind !== 'Task') {
    // ClusterTasks are cluster-scoped and shared by every namespace (and gone
    // from Tekton v1); the curated tasks are installed in each team's
    // namespace. Any other kind is a custom task, run by another controller.
    c.add(
      at(path, 'kind'),
      kind === 'ClusterTask'
        ? 'ClusterTask is cluster-scoped and shared by every team; use the Task of the same name installed in your namespace (kind: Task)'
        : `kind ${quote(
            kind,
          )} makes this a custom task, run by another controller; runs may only use Tasks`,
    );
  }
  if (!absent(get(ref, 'apiVersion'))) {
    // Tekton takes any taskRef with apiVersion and kind for a custom task,
    // even tekton.dev/v1 Task.
    c.add(
      at(path, 'apiVersion'),
      'apiVersion on a taskRef makes it a custom task, run by another controller; remove it',
    );
  }
  checkResolverRef(c, ref, path, 'taskRef');
}

/** A pipelineRef or a step's StepAction ref. */
function checkRef(
  c: Checker,
  value: unknown,
  path: string,
  what: 'pipelineRef' | 'ref',
) {
  const ref = c.map(value, path);
  if (!ref) return;
  if (what === 'pipelineRef') {
    const apiVersion = c.string(get(ref, 'apiVersion'), at(path, 'apiVersion'));
    if (
      apiVersion !== undefined &&
      apiVersion !== 'tekton.dev/v1' &&
      apiVersion !== 'tekton.dev/v1beta1'
    ) {
      c.add(
        at(path, 'apiVersion'),
        `pipelineRef.apiVersion ${quote(
          apiVersion,
        )} is not Tekton's; remove it`,
      );
    }
  }
  checkResolverRef(c, ref, path, what);
}

function checkEmbeddedTask(c: Checker, value: unknown, path: string) {
  const task = c.map(value, path);
  if (!task) return;
  for (const key of ['apiVersion', 'kind', 'spec']) {
    if (!absent(get(task, key))) {
      c.add(
        at(path, key),
        `${key} in a taskSpec makes it a custom task, run by another controller; embed a plain Task spec`,
      );
    }
  }
  const metadata = c.map(get(task, 'metadata'), at(path, 'metadata'));
  if (metadata) {
    checkAnnotations(
      c,
      get(metadata, 'annotations'),
      at(at(path, 'metadata'), 'annotations'),
    );
  }
  c.list(get(task, 'steps'), at(path, 'steps'))?.forEach((s, i) => {
    const stepPath = at(at(path, 'steps'), i);
    checkContainer(c, s, stepPath);
    if (isMap(s)) checkRef(c, get(s, 'ref'), at(stepPath, 'ref'), 'ref');
  });
  c.list(get(task, 'sidecars'), at(path, 'sidecars'))?.forEach((s, i) =>
    checkContainer(c, s, at(at(path, 'sidecars'), i)),
  );
  checkContainer(c, get(task, 'stepTemplate'), at(path, 'stepTemplate'));
  checkVolumes(c, get(task, 'volumes'), at(path, 'volumes'));
}

// Remote resolution ----------------------------------------------------------

/** Parameters each resolver accepts; the target ones are checked below. */
const RESOLVER_PARAMS: Record<string, Set<string>> = {
  http: new Set([
    'url',
    'http-username',
    'http-password-secret',
    'http-password-secret-key',
    'digest',
  ]),
  git: new Set([
    'url',
    'revision',
    'pathInRepo',
    'gitToken',
    'gitTokenKey',
    'cache',
  ]),
  bundles: new Set([
    'bundle',
    'name',
    'kind',
    'secret',
    'serviceAccount',
    'cache',
  ]),
  hub: new Set(['catalog', 'type', 'kind', 'name', 'version']),
  cluster: new Set(['kind', 'name', 'namespace', 'cache']),
};

/** The git resolver's authenticated API form. */
const GIT_API_PARAMS = new Set([
  'repo',
  'org',
  'serverURL',
  'scmType',
  'token',
  'tokenKey',
]);

interface Param {
  value: string;
  path: string;
}

function checkResolverRef(
  c: Checker,
  ref: Obj,
  path: string,
  what: 'pipelineRef' | 'taskRef' | 'ref',
) {
  if (!absent(get(ref, 'bundle'))) {
    c.add(
      at(path, 'bundle'),
      `${what}.bundle is the tekton.dev/v1beta1 form; use resolver: bundles with a bundle parameter`,
    );
  }
  const resolverPath = at(path, 'resolver');
  const resolver = c.string(get(ref, 'resolver'), resolverPath);
  const paramsPath = at(path, 'params');
  const list = c.list(get(ref, 'params'), paramsPath);
  if (!resolver) return; // A Task, Pipeline or StepAction of the namespace.

  const params = new Map<string, Param>();
  list?.forEach((p, i) => {
    const paramPath = at(paramsPath, i);
    const param = c.map(p, paramPath);
    if (!param) return;
    const name = c.string(get(param, 'name'), at(paramPath, 'name'));
    if (name === undefined) {
      c.add(at(paramPath, 'name'), 'a resolver parameter needs a name');
      return;
    }
    const v = get(param, 'value');
    if (typeof v !== 'string') {
      c.add(
        at(paramPath, 'value'),
        `the ${resolver} resolver's ${quote(
          name,
        )} parameter must be a string, not ${kindOf(v)}`,
      );
      return;
    }
    if (params.has(name)) {
      c.add(
        paramPath,
        `the ${resolver} resolver's ${quote(name)} parameter is given twice`,
      );
      return;
    }
    params.set(name, { value: v, path: at(paramPath, 'value') });
  });

  const known = Object.hasOwn(RESOLVER_PARAMS, resolver)
    ? RESOLVER_PARAMS[resolver]
    : undefined;
  if (!known) {
    c.add(
      resolverPath,
      `resolver ${quote(
        resolver,
      )} is not one a run may use (http, git, bundles or hub with an allowed target, or cluster in this namespace)`,
    );
    return;
  }
  for (const [name, param] of params) {
    if (known.has(name)) continue;
    if (resolver === 'git' && GIT_API_PARAMS.has(name)) {
      c.add(
        param.path,
        `the git resolver's ${quote(
          name,
        )} parameter selects its API form, which reads with the resolver's own token; use the url parameter with an allowed repository`,
      );
    } else if (resolver === 'hub' && name === 'url') {
      c.add(
        param.path,
        "the hub resolver's url parameter replaces the cluster's hub; remove it",
      );
    } else {
      c.add(
        param.path,
        `the ${resolver} resolver's ${quote(
          name,
        )} parameter is not one a run may use`,
      );
    }
  }

  const allowed = c.options.allowedResolvers ?? {};
  switch (resolver) {
    case 'http':
      checkUrlTarget(c, params, 'url', allowed.http, resolverPath, 'http');
      break;
    case 'git':
      checkUrlTarget(c, params, 'url', allowed.git, resolverPath, 'git');
      break;
    case 'bundles':
      checkBundleTarget(c, params, allowed.bundles, resolverPath);
      {
        const sa = params.get('serviceAccount');
        if (sa) checkServiceAccount(c, sa.value, sa.path);
      }
      break;
    case 'hub':
      checkHubTarget(c, params, allowed.hub, resolverPath);
      break;
    default: {
      // cluster
      const namespace = params.get('namespace');
      if (!namespace) {
        c.add(
          resolverPath,
          `the cluster resolver must name its namespace: add the namespace parameter ${quote(
            c.options.namespace,
          )}`,
        );
      } else if (namespace.value !== c.options.namespace) {
        c.add(
          namespace.path,
          `the cluster resolver may only read from this run's namespace ${quote(
            c.options.namespace,
          )}, not ${quote(namespace.value)}`,
        );
      }
    }
  }
}

/** The target parameter, or a violation when it is missing or parameterized. */
function target(
  c: Checker,
  params: Map<string, Param>,
  name: string,
  resolverPath: string,
  resolver: string,
): Param | undefined {
  const param = params.get(name);
  if (!param) {
    c.add(
      resolverPath,
      `the ${resolver} resolver needs a ${name} parameter (its default is not checked)`,
    );
    return undefined;
  }
  if (param.value.includes('$(')) {
    c.add(
      param.path,
      `the ${resolver} resolver's ${name} must be written out: ${quote(
        param.value,
      )} is only known once Tekton substitutes it`,
    );
    return undefined;
  }
  return param;
}

function notEnabled(c: Checker, path: string, resolver: string) {
  c.add(
    path,
    `the ${resolver} resolver is not allowed here: the portal's configuration allows no ${resolver} targets`,
  );
}

/**
 * A URL as the resolvers would fetch it, or why it is refused: https only,
 * no credentials, no `.`/`..` segments (plain or percent-encoded), no encoded
 * slashes, and written in its canonical form (what the WHATWG parser
 * prints), so a prefix comparison means what it says.
 */
function canonicalUrl(raw: string): { url: string } | { problem: string } {
  if (/[\s\\]/.test(raw)) {
    return { problem: 'must not contain spaces or backslashes' };
  }
  const afterAuthority = raw.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  const rawPath = afterAuthority.replace(/[?#].*$/s, '');
  for (const segment of rawPath.split('/')) {
    if (/%2f|%5c/i.test(segment)) {
      return { problem: 'must not contain encoded slashes' };
    }
    const decoded = segment.replace(/%2e/gi, '.');
    if (decoded === '.' || decoded === '..') {
      return { problem: "must not contain '.' or '..' path segments" };
    }
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'is not a valid URL' };
  }
  if (url.protocol !== 'https:') return { problem: 'must use https' };
  if (url.username || url.password) {
    return { problem: 'must not carry credentials (user@host)' };
  }
  if (url.href !== raw) {
    return { problem: `is not in canonical form (write ${quote(url.href)})` };
  }
  return { url: url.href };
}

/** Whether `value` starts with `prefix` at a boundary (not mid-name). */
function startsAt(value: string, prefix: string, boundaries: string): boolean {
  if (!prefix || !value.startsWith(prefix)) return false;
  if (value.length === prefix.length || prefix.endsWith('/')) return true;
  return boundaries.includes(value[prefix.length]);
}

function checkUrlTarget(
  c: Checker,
  params: Map<string, Param>,
  name: string,
  prefixes: string[] | undefined,
  resolverPath: string,
  resolver: 'http' | 'git',
) {
  if (!prefixes || prefixes.length === 0) {
    notEnabled(c, resolverPath, resolver);
    return;
  }
  const param = target(c, params, name, resolverPath, resolver);
  if (!param) return;
  const canonical = canonicalUrl(param.value);
  if ('problem' in canonical) {
    c.add(
      param.path,
      `the ${resolver} resolver's ${name} ${quote(param.value)} ${
        canonical.problem
      }`,
    );
    return;
  }
  // A repository is the same with or without '.git'.
  const repository = (url: string) =>
    resolver === 'git' ? url.replace(/\.git(?=$|[?#])/, '') : url;
  const allowedPrefixes = prefixes.flatMap(p => {
    const normalized = canonicalPrefix(p);
    return normalized ? [repository(normalized)] : [];
  });
  const url = repository(canonical.url);
  if (!allowedPrefixes.some(p => startsAt(url, p, '/?#'))) {
    c.add(
      param.path,
      `the ${resolver} resolver may only fetch from ${prefixes.join(
        ', ',
      )}; ${quote(param.value)} is not under any of them`,
    );
  }
}

/** A configured URL prefix in canonical form; undefined if it could never match. */
function canonicalPrefix(prefix: string): string | undefined {
  const canonical = canonicalUrl(prefix);
  if ('url' in canonical) return canonical.url;
  // The one harmless difference: an origin written without its '/'.
  try {
    const url = new URL(prefix);
    if (url.href === `${prefix}/`) return canonicalPrefix(url.href);
  } catch {
    // never matches
  }
  return undefined;
}

/** registry[:port]/path[:tag][@sha256:digest], registry named explicitly. */
const OCI_REFERENCE =
  /^((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::[0-9]+)?)\/([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** An OCI reference in the form compared with the allow-list, or undefined. */
function canonicalReference(raw: string): string | undefined {
  const slash = raw.indexOf('/');
  if (slash < 0) return undefined;
  const ref = raw.slice(0, slash).toLowerCase() + raw.slice(slash);
  const match = OCI_REFERENCE.exec(ref);
  // Without a '.' or ':' the first part is a Docker Hub path, not a registry.
  if (!match || !/[.:]|^localhost$/.test(match[1])) return undefined;
  return ref;
}

function checkBundleTarget(
  c: Checker,
  params: Map<string, Param>,
  prefixes: string[] | undefined,
  resolverPath: string,
) {
  if (!prefixes || prefixes.length === 0) {
    notEnabled(c, resolverPath, 'bundles');
    return;
  }
  const param = target(c, params, 'bundle', resolverPath, 'bundles');
  if (!param) return;
  const ref = canonicalReference(param.value);
  if (!ref) {
    c.add(
      param.path,
      `the bundles resolver's bundle ${quote(
        param.value,
      )} is not an image reference with its registry (registry/repository[:tag][@sha256:digest])`,
    );
    return;
  }
  const allowedPrefixes = prefixes.flatMap(p => {
    const slash = p.indexOf('/');
    const normalized =
      slash < 0
        ? `${p.toLowerCase()}/`
        : p.slice(0, slash).toLowerCase() + p.slice(slash);
    return normalized.includes('..') ? [] : [normalized];
  });
  if (!allowedPrefixes.some(p => startsAt(ref, p, '/:@'))) {
    c.add(
      param.path,
      `the bundles resolver may only pull from ${prefixes.join(', ')}; ${quote(
        param.value,
      )} is not under any of them`,
    );
  }
}

function checkHubTarget(
  c: Checker,
  params: Map<string, Param>,
  catalogs: string[] | undefined,
  resolverPath: string,
) {
  if (!catalogs || catalogs.length === 0) {
    notEnabled(c, resolverPath, 'hub');
    return;
  }
  if (catalogs.includes('*')) return;
  const param = target(c, params, 'catalog', resolverPath, 'hub');
  if (param && !catalogs.includes(param.value)) {
    c.add(
      param.path,
      `the hub resolver may only use the catalogs ${catalogs.join(
        ', ',
      )}, not ${quote(param.value)}`,
    );
  }
}
