/*
 * The hostile input of bench/tenancy: GitHub filter patterns that make a
 * backtracking matcher take exponential time and an automaton matcher its
 * longest (pattern size times value length), written into `.tekton/` files
 * as a repository's writers could, and the long refs they are matched
 * against. Sizes go up to the limits the portal enforces: patterns of
 * FILTER_PATTERN_LIMITS.patternLength characters, values of valueLength,
 * trigger annotations of TRIGGER_ANNOTATION_LIMIT characters and, over the
 * hostile files of one commit, the TRIGGER_ANNOTATIONS_PER_EVENT an event
 * reads (less what the spotguide's own three pipelines use).
 */
import {
  FILTER_PATTERN_LIMITS,
  TRIGGER_ANNOTATION_LIMIT,
  TRIGGER_ANNOTATIONS_PER_EVENT,
} from '@pipeline-portal/plugin-spotguides-common';

const { patternLength, listSize, valueLength } = FILTER_PATTERN_LIMITS;

/** Hostile files per repository, beside the spotguide's three pipelines. */
export const HOSTILE_FILES = 4;

/**
 * Characters of one hostile file's annotation: the event's share, less a
 * kilobyte for the spotguide's own annotations, over the hostile files, and
 * never more than one annotation may hold.
 */
export const ANNOTATION_CHARS = Math.min(
  TRIGGER_ANNOTATION_LIMIT,
  Math.floor((TRIGGER_ANNOTATIONS_PER_EVENT - 1024) / HOSTILE_FILES),
);

/** Patterns per list: two lists (push, pull_request) of full-length patterns fill the annotation. */
export const PATTERNS_PER_LIST = Math.min(
  listSize,
  Math.floor((ANNOTATION_CHARS - 64) / 2 / (patternLength + 12)),
);

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

/**
 * A list of patterns of one family (or all, interleaved), each of the full
 * pattern length and different, as many as the annotation holds.
 */
export function hostileList(families: Family[], salt: string): string[] {
  return Array.from({ length: PATTERNS_PER_LIST }, (_, k) => {
    const family = families[k % families.length];
    return family.pattern(patternLength, `-${salt}-${k}`, k);
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

/**
 * The benign twin of {@link hostileFiles}: as many files, each with two short
 * ordinary lists, so a benign repository reads and parses as many files and
 * only the patterns differ.
 */
export function benignFiles(salt: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let f = 0; f < HOSTILE_FILES; f++) {
    files[`.tekton/hostile-${f}.yaml`] = `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  generateName: benign-${f}-
  annotations:
    pipeline-portal.io/on: |
      push:
        branches: ['release/*', 'hotfix/**', '!release/old-${salt}']
      pull_request:
        branches: [main, 'release/v[0-9]+']
spec:
  pipelineSpec:
    tasks:
      - name: noop
        taskRef:
          name: npm
`;
  }
  return files;
}
