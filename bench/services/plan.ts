/*
 * bench/services plan: planTargets on a generated definition of 500 versions.
 * Edges: an upgrader to the next version, a skip upgrader every 3rd version
 * (two ahead) and every 10th (ten ahead), a downgrader to the previous version,
 * and a 2-step edge (delete, then chart upgrade) every 7th. Each run plans every
 * target from the oldest version (all upgrades), the middle one (both
 * directions) and the newest (all downgrades); the figure is the median time of
 * one planTargets call, over the runs. Run through plan.mjs.
 */
import { performance } from 'node:perf_hooks';
import {
  IntegratedServiceEntity,
  Step,
  VersionEdge,
  planTargets,
  validateIntegratedService,
} from '@pipeline-portal/plugin-integrated-services-common';
// @ts-ignore: a plain ES module without types
import { median, verdict } from '../lib/stats.mjs';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const VERSIONS = opt('versions', 500);
const RUNS = opt('runs', 7);
const TARGET_MS = 10;

function generate(count: number): IntegratedServiceEntity {
  const name = (i: number) => `${1 + Math.floor(i / 100)}.${i % 100}.0`;
  const upgrade: Step[] = [{ type: 'chartUpgrade' }];
  const edge = (from: number, to: number): VersionEdge => ({
    from: name(from),
    to: name(to),
    steps:
      from % 7 === 0
        ? [
            {
              type: 'deleteResources',
              resources: [
                { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' },
              ],
            },
            ...upgrade,
          ]
        : upgrade,
  });
  const upgraders: VersionEdge[] = [];
  const downgraders: VersionEdge[] = [];
  for (let i = 0; i < count; i++) {
    if (i + 1 < count) upgraders.push(edge(i, i + 1));
    if (i % 3 === 0 && i + 2 < count) upgraders.push(edge(i, i + 2));
    if (i % 10 === 0 && i + 10 < count) upgraders.push(edge(i, i + 10));
    if (i > 0) downgraders.push(edge(i, i - 1));
  }
  return {
    apiVersion: 'pipeline-portal.io/v1alpha1',
    kind: 'IntegratedService',
    metadata: { name: 'generated' },
    spec: {
      owner: 'group:default/platform',
      category: 'bench',
      versions: Array.from({ length: count }, (_, i) => ({
        version: name(i),
        chart: {
          repository: 'https://charts.example.com',
          name: 'app',
          version: name(i),
        },
        values: {},
        specSchema: { type: 'object' },
        valuesMapping: [],
      })),
      // Listed in reverse so that the planner's own ordering is what counts.
      upgraders: upgraders.reverse(),
      downgraders,
    },
  };
}

const definition = generate(VERSIONS);
const check = validateIntegratedService(definition);
if (!check.valid)
  throw new Error(
    `generated definition is invalid: ${JSON.stringify(check.issues[0])}`,
  );
const versions = definition.spec.versions.map(v => v.version);
const starts = {
  oldest: versions[0],
  middle: versions[Math.floor(VERSIONS / 2)],
  newest: versions[VERSIONS - 1],
};

// Warm up the JIT so the runs measure the planner, not the compiler.
for (let i = 0; i < 20; i++) planTargets(definition, starts.middle);

const timings: Record<keyof typeof starts, number[]> = {
  oldest: [],
  middle: [],
  newest: [],
};
let longestPath = 0;
for (let run = 0; run < RUNS; run++) {
  for (const key of Object.keys(starts) as Array<keyof typeof starts>) {
    const begin = performance.now();
    const plan = planTargets(definition, starts[key]);
    timings[key].push(performance.now() - begin);
    if (plan.targets.length + plan.unreachable.length !== VERSIONS - 1) {
      throw new Error(`plan from ${starts[key]} lost versions`);
    }
    if (plan.unreachable.length > 0) {
      throw new Error(
        `plan from ${starts[key]}: ${plan.unreachable[0].reason}`,
      );
    }
    for (const target of plan.targets)
      longestPath = Math.max(longestPath, target.path.length - 1);
  }
}

const edges =
  definition.spec.upgraders.length + definition.spec.downgraders.length;
console.log(
  `planner: ${VERSIONS} versions, ${edges} edges, ${RUNS} runs; every target planned (longest path ${longestPath} steps)`,
);
for (const key of Object.keys(starts) as Array<keyof typeof starts>) {
  const ms = median(timings[key]);
  console.log(
    `  plan every target from the ${key} version (${
      starts[key]
    }): median ${ms.toFixed(2)} ms` +
      ` (target < ${TARGET_MS} ms: ${verdict(ms < TARGET_MS)})`,
  );
}
