/*
 * Timing inside the bench of the functions the portal runs on a pipeline
 * file's triggers (parseTriggers: YAML and PatternList.compile; then
 * PatternList.match, which runs the pattern automata), on the same hostile
 * lists, so a missed target can be put down to a function, a pattern family
 * and a value length. Matching is given an unbounded budget here, to show
 * the steps a list needs beside the budget an event has.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { performance } from 'node:perf_hooks';
import {
  FILTER_PATTERN_LIMITS,
  MatchBudget,
  parseTriggers,
  PatternList,
} from '@pipeline-portal/plugin-spotguides-common';
import {
  Family,
  FAMILIES,
  hostileList,
  PATTERNS_PER_LIST,
  ValueShape,
  VALUE_SHAPES,
} from './hostile';

setFlagsFromString('--expose-gc');
const gc: () => void = runInNewContext('gc');

const heap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;
const mib = (bytes: number) =>
  `${(Math.max(0, bytes) / 1024 / 1024).toFixed(0)} MiB`;

/** One annotation holding the list under push.branches, parsed as the portal does. */
function parsed(sources: string[]): { list: PatternList; ms: number } {
  const annotation = `push:\n  branches:\n${sources
    .map(p => `    - '${p}'`)
    .join('\n')}\n`;
  const t0 = performance.now();
  const triggers = parseTriggers(annotation);
  return {
    list: triggers.push!.filters.branches!,
    ms: performance.now() - t0,
  };
}

interface Cell {
  compileMs: number;
  compileBytes: number;
  matchMs: number;
  steps: number;
}

/** Steps no list here comes near: the count is what is read. */
const UNBOUNDED = 1e15;

/** A fresh list: parse and compile it, match the value, count the steps. */
function measure(sources: string[], value: string): Cell {
  const h0 = heap();
  const { list, ms: compileMs } = parsed(sources);
  const h1 = heap();
  const budget = new MatchBudget(UNBOUNDED);
  const t0 = performance.now();
  list.match(value, budget);
  const matchMs = performance.now() - t0;
  // Keeps the list alive until its memory is read.
  if (!list.patterns.length) throw new Error('empty list');
  return { compileMs, compileBytes: h1 - h0, matchMs, steps: budget.spent };
}

const shape = (name: string) => VALUE_SHAPES.find(s => s.name === name)!;

/** Each family against the value it is slowest on. */
const WORST: Array<{ family: Family[]; label: string; value: ValueShape }> = [
  { family: [FAMILIES[0]], label: FAMILIES[0].name, value: shape("x's") },
  { family: [FAMILIES[1]], label: FAMILIES[1].name, value: shape("a's") },
  { family: [FAMILIES[2]], label: FAMILIES[2].name, value: shape("x's") },
  { family: [FAMILIES[3]], label: FAMILIES[3].name, value: shape("a/'s") },
  { family: FAMILIES, label: 'all four', value: shape("a's") },
];

export function attribution(): void {
  let salt = 0;
  const { patternLength, stepsPerEvent } = FILTER_PATTERN_LIMITS;
  console.log(
    `\nwhere the time goes, timed in the bench process: a fresh list of ${PATTERNS_PER_LIST} patterns of ${patternLength} characters (parseTriggers = YAML + PatternList.compile), then PatternList.match of one value with no budget: its steps beside the ${stepsPerEvent} one event may spend, and the heap the list keeps`,
  );
  console.log(
    `  ${'family, value'.padEnd(22)} ${'length'.padStart(
      6,
    )} ${'compile'.padStart(9)} ${'kept'.padStart(8)} ${'match'.padStart(
      9,
    )} ${'steps'.padStart(10)} ${'ns/step'.padStart(8)}`,
  );
  for (const w of WORST) {
    for (const length of [64, 244, 4096]) {
      const c = measure(
        hostileList(w.family, `a${salt++}`),
        w.value.body(length),
      );
      console.log(
        `  ${`${w.label}, ${w.value.name}`.padEnd(22)} ${String(
          length,
        ).padStart(6)} ${ms(c.compileMs).padStart(9)} ${mib(
          c.compileBytes,
        ).padStart(8)} ${ms(c.matchMs).padStart(9)} ${String(c.steps).padStart(
          10,
        )} ${((c.matchMs * 1e6) / Math.max(1, c.steps))
          .toFixed(1)
          .padStart(8)}`,
      );
    }
  }
}
