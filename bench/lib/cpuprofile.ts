/*
 * Reads a V8 CPU profile (`node --cpu-prof`) and says where the time went:
 * per function (name, file and line), its self time and its total time
 * (itself and what it called, recursion counted once), in milliseconds.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: {
    functionName: string;
    url: string;
    lineNumber: number;
  };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  /** `name (file:line)`, the file relative to `root` when under it. */
  fn: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  file: string;
  durationMs: number;
  /** Time the process was not idle (no `(idle)` or `(program)` sample). */
  busyMs: number;
  bySelf: FunctionTime[];
  byTotal: FunctionTime[];
  /** The functions matching `focus`, by total time. */
  focus: FunctionTime[];
}

export async function summarizeProfile(
  file: string,
  options: { root?: string; top?: number; focus?: RegExp } = {},
): Promise<ProfileSummary> {
  const profile: CpuProfile = JSON.parse(await fs.readFile(file, 'utf8'));
  const top = options.top ?? 15;
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const label = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    let where = url.replace(/^file:\/\//, '');
    if (options.root && where.startsWith(options.root)) {
      where = path.relative(options.root, where);
    }
    return `${functionName || '(anonymous)'}${
      where ? ` (${where}:${lineNumber + 1})` : ''
    }`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node) return;
    const own = label(node);
    if (!/^\((idle|program|garbage collector)\)/.test(own)) busy += ms;
    self.set(own, (self.get(own) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; ) {
      const n = byId.get(at)!;
      const l = label(n);
      if (!seen.has(l)) {
        seen.add(l);
        total.set(l, (total.get(l) ?? 0) + ms);
      }
      at = parent.get(at);
    }
  });
  const rows = [...self.keys(), ...total.keys()]
    .filter((k, i, all) => all.indexOf(k) === i)
    .map(fn => ({
      fn,
      selfMs: self.get(fn) ?? 0,
      totalMs: total.get(fn) ?? 0,
    }));
  const skip = (r: FunctionTime) =>
    /^\((root|idle|program)\)/.test(r.fn) || r.fn.startsWith('(anonymous)');
  return {
    file,
    durationMs: (profile.endTime - profile.startTime) / 1000,
    busyMs: busy,
    bySelf: [...rows].sort((a, b) => b.selfMs - a.selfMs).slice(0, top),
    byTotal: rows
      .filter(r => !skip(r))
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, top),
    focus: options.focus
      ? rows
          .filter(r => options.focus!.test(r.fn))
          .sort((a, b) => b.totalMs - a.totalMs)
          .slice(0, top)
      : [],
  };
}
