/**
 * Plays Flux's source-controller and helm-controller inside the Kubernetes
 * API double: HelmRepository and OCIRepository objects turn Ready, and a
 * HelmRelease is "installed" at the chart version it asks for (from its
 * chart template, or the tag of the OCIRepository its chartRef names): Ready
 * with `status.history[0].chartVersion`, as the real controller reports it.
 * Faults: an upgrade to a chart version can be made to fail (Ready False,
 * UpgradeFailed) and a release made slow (Progressing for a while).
 *
 * A release is handled once per generation and `reconcile.fluxcd.io/requestedAt`
 * value, as the real controller does; status writes do not re-trigger it.
 * Status fields are those the real CRDs accept.
 */
import { createHash } from 'node:crypto';
import type { KubeApi } from './kubeApi';
import { KubeApiError } from './status';
import { KubeObject } from './types';

const HELM = 'helm.toolkit.fluxcd.io';
const SOURCE = 'source.toolkit.fluxcd.io';
const FINALIZER = 'finalizers.fluxcd.io';
const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

/** The Flux CRDs the reactions need, relative to the shared CRD directory. */
export const FLUX_CRDS = [
  'helm.toolkit.fluxcd.io/helmreleases.yaml',
  'source.toolkit.fluxcd.io/helmrepositories.yaml',
  'source.toolkit.fluxcd.io/ocirepositories.yaml',
];

/** Which releases a fault applies to; every field given must match. */
export interface FluxReleaseMatch {
  name?: string;
  namespace?: string;
  chartVersion?: string;
}

export interface PlayFluxOptions {
  /** Delay before a release or source turns Ready. Default 5 ms. */
  readyAfterMs?: number;
}

/** A running play of Flux's controllers; stop it before closing the double. */
export interface FluxDouble {
  /** Releases matching fail (Ready False, UpgradeFailed) until the returned function is called. */
  failUpgrade(match: FluxReleaseMatch, message?: string): () => void;
  /** Releases matching stay Progressing this long before settling. */
  slowRelease(match: FluxReleaseMatch, delayMs: number): () => void;
  /** How many releases were attempted at each chart version (name:version -> count). */
  readonly attempts: ReadonlyMap<string, number>;
  stop(): void;
}

type Obj = KubeObject & { spec?: any; status?: any };

const now = () => new Date().toISOString();
const condition = (
  type: string,
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
  observedGeneration?: number,
) => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: now(),
  ...(observedGeneration !== undefined ? { observedGeneration } : {}),
});

const digest = (value: unknown) =>
  `sha256:${createHash('sha256')
    .update(JSON.stringify(value ?? {}))
    .digest('hex')}`;

function matches(rule: FluxReleaseMatch, obj: Obj, chartVersion: string) {
  return (
    (rule.name === undefined || rule.name === obj.metadata?.name) &&
    (rule.namespace === undefined ||
      rule.namespace === obj.metadata?.namespace) &&
    (rule.chartVersion === undefined || rule.chartVersion === chartVersion)
  );
}

function ignoreGone(err: unknown) {
  if (err instanceof KubeApiError && err.code === 404) return;
  throw err;
}

/** Starts playing Flux in the double. */
export function playFlux(
  api: KubeApi,
  options: PlayFluxOptions = {},
): FluxDouble {
  const readyAfterMs = options.readyAfterMs ?? 5;
  const failures = new Set<{ match: FluxReleaseMatch; message: string }>();
  const slow = new Set<{ match: FluxReleaseMatch; delayMs: number }>();
  const handled = new Map<string, string>();
  const attempts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const unregister: Array<() => void> = [];
  let stopped = false;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (stopped) return;
      try {
        fn();
      } catch (err) {
        // A controller logs and retries; here the test sees it in stderr.
        if (!(err instanceof KubeApiError && err.code === 404)) {
          process.stderr.write(`flux double: ${err}\n`);
        }
      }
    }, ms);
    timers.add(timer);
  };

  const patchStatus = (obj: Obj, status: Record<string, unknown>) => {
    try {
      api.patchStatus(obj, status);
    } catch (err) {
      ignoreGone(err);
    }
  };

  for (const kind of ['HelmRepository', 'OCIRepository']) {
    unregister.push(
      api.react(
        {
          group: SOURCE,
          kind,
          on: ['create', 'update'],
          delayMs: readyAfterMs,
        },
        obj => {
          const o = obj as Obj;
          if (o.status?.observedGeneration === o.metadata?.generation) return;
          const revision =
            kind === 'OCIRepository'
              ? `${o.spec?.ref?.tag ?? 'latest'}@${digest(o.spec)}`
              : digest(o.spec);
          patchStatus(o, {
            observedGeneration: o.metadata?.generation,
            url: o.spec?.url,
            conditions: [
              condition(
                'Ready',
                'True',
                'Succeeded',
                `stored artifact for revision '${revision}'`,
                o.metadata?.generation,
              ),
            ],
          });
        },
      ),
    );
  }

  /** The chart version a release asks for, or undefined if its source is missing. */
  const chartVersionOf = (o: Obj): { name: string; version?: string } => {
    const template = o.spec?.chart?.spec;
    if (template) return { name: template.chart, version: template.version };
    const ref = o.spec?.chartRef;
    if (ref?.kind === 'OCIRepository') {
      const source = api.get({
        apiVersion: `${SOURCE}/v1`,
        kind: 'OCIRepository',
        name: ref.name,
        namespace: ref.namespace ?? o.metadata?.namespace,
      }) as Obj | undefined;
      const url: string = source?.spec?.url ?? '';
      return {
        name: url.split('/').pop() ?? ref.name,
        version: source?.spec?.ref?.tag,
      };
    }
    return { name: ref?.name ?? 'unknown' };
  };

  const release = (obj: Obj) => {
    const o = obj;
    const meta = o.metadata!;
    if (meta.deletionTimestamp) return;
    const key = `${meta.generation}/${meta.annotations?.[REQUESTED_AT] ?? ''}`;
    if (handled.get(meta.uid!) === key) return;
    handled.set(meta.uid!, key);
    if (!meta.finalizers?.includes(FINALIZER)) {
      try {
        api.patch(o, {
          metadata: { finalizers: [...(meta.finalizers ?? []), FINALIZER] },
        });
      } catch (err) {
        ignoreGone(err);
        return;
      }
    }
    const chart = chartVersionOf(o);
    const version = chart.version ?? '';
    const id = `${meta.name}:${version}`;
    attempts.set(id, (attempts.get(id) ?? 0) + 1);
    const generation = meta.generation;
    const requestedAt = meta.annotations?.[REQUESTED_AT];
    const history: any[] = o.status?.history ?? [];
    const installing = history.length === 0;
    patchStatus(o, {
      lastAttemptedGeneration: generation,
      lastAttemptedRevision: version,
      ...(requestedAt ? { lastHandledReconcileAt: requestedAt } : {}),
      conditions: [
        condition(
          'Ready',
          'Unknown',
          'Progressing',
          `Fulfilling prerequisites`,
          generation,
        ),
        condition(
          'Reconciling',
          'True',
          'Progressing',
          `Running '${installing ? 'install' : 'upgrade'}' action`,
          generation,
        ),
      ],
    });

    const delayMs = Math.max(
      0,
      ...[...slow]
        .filter(s => matches(s.match, o, version))
        .map(s => s.delayMs),
    );
    later(delayMs, () => {
      const live = api.get(o) as Obj | undefined;
      // A newer generation or request supersedes this attempt.
      if (!live || live.metadata?.generation !== generation) return;
      const fault = [...failures].find(f => matches(f.match, o, version));
      const action = installing ? 'install' : 'upgrade';
      if (!version || fault) {
        const message = !version
          ? `chart source not found for ${chart.name}`
          : `Helm ${action} failed for release ${meta.namespace}/${
              meta.name
            } with chart ${chart.name}@${version}: ${fault!.message}`;
        const failed = installing ? 'installFailures' : 'upgradeFailures';
        patchStatus(live, {
          observedGeneration: generation,
          lastAttemptedReleaseAction: action,
          failures: (live.status?.failures ?? 0) + 1,
          [failed]: (live.status?.[failed] ?? 0) + 1,
          conditions: [
            condition(
              'Ready',
              'False',
              installing ? 'InstallFailed' : 'UpgradeFailed',
              message,
              generation,
            ),
            condition(
              'Released',
              'False',
              installing ? 'InstallFailed' : 'UpgradeFailed',
              message,
              generation,
            ),
          ],
        });
        return;
      }
      const target = o.spec?.targetNamespace;
      if (installing && target && o.spec?.install?.createNamespace) {
        try {
          api.create({
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: target },
          });
        } catch (err) {
          if (!(err instanceof KubeApiError && err.code === 409)) throw err;
        }
      }
      const at = now();
      const previous = history[0];
      const snapshot = {
        chartName: chart.name,
        chartVersion: version,
        configDigest: digest({
          values: o.spec?.values,
          from: o.spec?.valuesFrom,
        }),
        digest: digest({ version, values: o.spec?.values }),
        firstDeployed: previous?.firstDeployed ?? at,
        lastDeployed: at,
        name: o.spec?.releaseName ?? meta.name,
        namespace: o.spec?.targetNamespace ?? meta.namespace,
        status: 'deployed',
        version: (previous?.version ?? 0) + 1,
      };
      const message = `Helm ${action} succeeded for release ${snapshot.namespace}/${snapshot.name}.v${snapshot.version} with chart ${chart.name}@${version}`;
      patchStatus(live, {
        observedGeneration: generation,
        lastAttemptedReleaseAction: action,
        lastReleaseRevision: snapshot.version,
        failures: 0,
        installFailures: 0,
        upgradeFailures: 0,
        history: [snapshot, ...history].slice(0, 5),
        conditions: [
          condition(
            'Ready',
            'True',
            installing ? 'InstallSucceeded' : 'UpgradeSucceeded',
            message,
            generation,
          ),
          condition(
            'Released',
            'True',
            installing ? 'InstallSucceeded' : 'UpgradeSucceeded',
            message,
            generation,
          ),
        ],
      });
    });
  };

  unregister.push(
    api.react(
      {
        group: HELM,
        kind: 'HelmRelease',
        on: ['create', 'update'],
        delayMs: readyAfterMs,
      },
      obj => release(obj as Obj),
    ),
    api.react(
      {
        group: HELM,
        kind: 'HelmRelease',
        on: 'deleting',
        delayMs: readyAfterMs,
      },
      obj => {
        // Uninstalled: the controller lets the object go.
        const finalizers = (obj.metadata?.finalizers ?? []).filter(
          f => f !== FINALIZER,
        );
        try {
          api.patch(obj, { metadata: { finalizers } });
        } catch (err) {
          ignoreGone(err);
        }
      },
    ),
  );

  return {
    failUpgrade(match, message = 'post-upgrade hooks failed: job failed') {
      const rule = { match, message };
      failures.add(rule);
      return () => failures.delete(rule);
    },
    slowRelease(match, delayMs) {
      const rule = { match, delayMs };
      slow.add(rule);
      return () => slow.delete(rule);
    },
    attempts,
    stop() {
      stopped = true;
      unregister.forEach(u => u());
      timers.forEach(t => clearTimeout(t));
      timers.clear();
    },
  };
}
