/*
 * Timing inside the bench of the functions the portal runs on a pipeline
 * file's triggers (parseTriggers: YAML and PatternList.compile; then
 * PatternList.match, which runs re2js), on the same hostile lists, so a
 * missed target can be put down to a function, a list size, a pattern
 * length and a value length. Memory is the heap a list keeps after the
 * call (re2js builds its DFA states lazily, on the first match, and keeps
 * them with the compiled pattern).
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { performance } from 'node:perf_hooks';
import {
  parseTriggers,
  PatternList,
} from '@pipeline-portal/plugin-spotguides-common';
import {
  Family,
  FAMILIES,
  hostileList,
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
  firstMs: number;
  againMs: number;
  matchBytes: number;
}

/** A fresh list: parse and compile it, match the value twice. */
function measure(sources: string[], value: string): Cell {
  const h0 = heap();
  const { list, ms: compileMs } = parsed(sources);
  const h1 = heap();
  let t0 = performance.now();
  list.match(value);
  const firstMs = performance.now() - t0;
  t0 = performance.now();
  list.match(value);
  const againMs = performance.now() - t0;
  const h2 = heap();
  // Keeps the list alive until its memory is read.
  if (!list.patterns.length) throw new Error('empty list');
  return {
    compileMs,
    compileBytes: h1 - h0,
    firstMs,
    againMs,
    matchBytes: h2 - h1,
  };
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
  console.log(
    '\nwhere the time goes, timed in the bench process: a fresh list of 200 patterns of 481 to 512 characters (parseTriggers = YAML + PatternList.compile), then PatternList.match of one value, first and again (re2js: lazy DFA), and the heap the list keeps',
  );
  console.log(
    `  ${'family, value'.padEnd(22)} ${'length'.padStart(
      6,
    )} ${'compile'.padStart(9)} ${'kept'.padStart(8)} ${'1st match'.padStart(
      10,
    )} ${'again'.padStart(9)} ${'kept'.padStart(9)}`,
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
        ).padStart(8)} ${ms(c.firstMs).padStart(10)} ${ms(c.againMs).padStart(
          9,
        )} ${mib(c.matchBytes).padStart(9)}`,
      );
    }
  }
  console.log(
    "  sizes: lists of `*a` patterns (each of the length given, or up to 7 shorter) against 244 a's, from the current limits down to about 1 KiB of patterns in all:",
  );
  for (const [size, length] of [
    [200, 512],
    [50, 512],
    [200, 128],
    [50, 128],
    [20, 128],
    [8, 128],
    [16, 64],
    [32, 32],
  ]) {
    const sources = Array.from({ length: size }, (_, k) =>
      FAMILIES[1].pattern(length - (k % 8), `-s${salt}-${k}`, k),
    );
    salt++;
    const c = measure(sources, 'a'.repeat(244));
    console.log(
      `    ${String(size).padStart(3)} patterns of ${String(length).padStart(
        3,
      )}: compile ${ms(c.compileMs)}, first match ${ms(c.firstMs)}, again ${ms(
        c.againMs,
      )}, kept ${mib(c.compileBytes + c.matchBytes)}`,
    );
  }
}
