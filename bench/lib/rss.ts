/*
 * Samples a process's resident set size from /proc (Linux) a few times a
 * second, for benchmarks that report what their input costs in memory.
 */
import { readFileSync } from 'node:fs';

export interface RssWatch {
  /** The largest RSS seen since the last `reset` (bytes). */
  peak(): number;
  reset(): void;
  stop(): void;
}

/** The resident set size of a process (bytes); undefined once it is gone. */
export function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time of a process's main thread (ns), where a Node process runs its
 * JavaScript: `/proc/<pid>/schedstat`, nanosecond-precise on Linux.
 */
export function mainThreadCpuNs(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

export function watchRss(pid: number, intervalMs = 200): RssWatch {
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, rssOf(pid) ?? 0);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    peak: () => (sample(), peak),
    reset: () => {
      peak = rssOf(pid) ?? 0;
    },
    stop: () => clearInterval(timer),
  };
}
