/*
 * The hostile input of bench/tenancy: GitHub filter patterns that make a
 * backtracking matcher take exponential time and an automaton matcher its
 * longest (pattern size times value length), written into `.tekton/` files
 * as a repository's writers could, and the long refs they are matched
 * against. Sizes go up to the limits the portal enforces
 * (FILTER_PATTERN_LIMITS: patterns of 512 characters, 200 per list, values
 * of 4,096) and the `.tekton/` read caps (256 KiB a file, 1 MiB in all).
 */
import { FILTER_PATTERN_LIMITS } from '@pipeline-portal/plugin-spotguides-common';

const { patternLength, listSize, valueLength } = FILTER_PATTERN_LIMITS;

/** A pattern family: `pattern(length, salt)` is at most `length` long. */
export interface Family {
  name: string;
  /** How one pattern looks, for the report. */
  shape: string;
  /** The `k`th pattern of a list, at most `length` long, ending in `salt`. */
  pattern(length: number, salt: string, k: number): string;
}

/** `unit` repeated to fill `length` with `tail` (the salt) after it. */
const fill = (unit: string, tail: string, length: number) =>
  unit.repeat(Math.floor((length - tail.length) / unit.length)) + tail;

export const FAMILIES: Family[] = [
  {
    name: 'x+',
    shape: 'x+x+x+...x+y (a run of `x+`)',
    pattern: (n, salt) => fill('x+', `y${salt}`, n),
  },
  {
    name: '*a',
    shape: '*a*a*a...*ab (a run of `*a`)',
    pattern: (n, salt) => fill('*a', `b${salt}`, n),
  },
  {
    name: '[a-z]+',
    shape: '[a-z]+[a-z]+...0 (a run of `[a-z]+`)',
    pattern: (n, salt) => fill('[a-z]+', `0${salt}`, n),
  },
  {
    name: '**',
    shape: '**a**a...b and a/**/a/**/...b, alternating (mixes of `**`)',
    pattern: (n, salt, k) =>
      k % 2 ? fill('a/**/', `b${salt}`, n) : fill('**a', `b${salt}`, n),
  },
];

/** A list of `listSize` patterns of one family (or all, interleaved), each near 512 characters and different. */
export function hostileList(families: Family[], salt: string): string[] {
  return Array.from({ length: listSize }, (_, k) => {
    const family = families[k % families.length];
    // 512 down to 481: near the limit, and no two alike.
    return family.pattern(patternLength - (k % 32), `-${salt}-${k}`, k);
  });
}

const yamlList = (indent: string, items: string[]) =>
  items.map(p => `${indent}- '${p.replace(/'/g, "''")}'`).join('\n');

/**
 * A valid PipelineRun whose `pipeline-portal.io/on` gives push and
 * pull_request each a hostile `branches` list; it never matches a bench ref,
 * so it only costs matching.
 */
export function hostileFile(
  name: string,
  families: Family[],
  salt: string,
): string {
  return `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  generateName: ${name}-
  annotations:
    pipeline-portal.io/on: |
      push:
        branches:
${yamlList('          ', hostileList(families, `${salt}p`))}
      pull_request:
        branches:
${yamlList('          ', hostileList(families, `${salt}q`))}
spec:
  pipelineSpec:
    tasks:
      - name: noop
        taskRef:
          name: npm
`;
}

/** Hostile files per repository: 4 of about 200 KB, so 8 lists of 200. */
export const HOSTILE_FILES = 4;

export function hostileFiles(
  families: Family[],
  salt: string,
): Record<string, string> {
  const files: Record<string, string> = {};
  for (let f = 0; f < HOSTILE_FILES; f++) {
    files[`.tekton/hostile-${f}.yaml`] = hostileFile(
      `hostile-${f}`,
      families,
      `${salt}f${f}`,
    );
  }
  return files;
}

/** A branch or ref body: the characters the families above are slow on. */
export interface ValueShape {
  name: string;
  body(length: number): string;
}

export const VALUE_SHAPES: ValueShape[] = [
  { name: "x's", body: n => 'x'.repeat(n) },
  { name: "a's", body: n => 'a'.repeat(n) },
  { name: "a/'s", body: n => 'a/'.repeat(Math.ceil(n / 2)).slice(0, n) },
];

/**
 * Lengths of the branch matched against the patterns: short, 244 (a ref of
 * 255, what the explain route and the deliveries table take), 1 KiB, the
 * 4,096 matching limit and one beyond it.
 */
export const BRANCH_LENGTHS = [64, 244, 1024, valueLength, valueLength + 1];

export const branchRef = (shape: ValueShape, length: number) =>
  `refs/heads/${shape.body(length)}`;
