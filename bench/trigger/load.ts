/* Load generation and counting helpers of bench/trigger. */
import { performance } from 'node:perf_hooks';
import type { RequestLogEntry } from '@pipeline-portal/testing';

export interface Sent {
  sha: string;
  sentAt: number;
  /** When the 2xx (or error) answer had arrived. */
  acceptedAt: number;
  status?: number;
}

/**
 * Sends every item, at most `concurrency` at once, and when `rate` is given
 * no faster than that many per second (a send due while the bound is reached
 * waits, so a slow endpoint shows as a lower accepted rate).
 */
export async function sendAll<P>(
  items: Array<{ sha: string; payload: P }>,
  options: {
    send(payload: P): Promise<{ status?: number }>;
    rate?: number;
    concurrency: number;
    /** No send starts after this many ms: a slow endpoint cannot stretch a phase. */
    maxMs?: number;
  },
): Promise<Sent[]> {
  const results: Sent[] = [];
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  for (let i = 0; i < items.length; i++) {
    if (options.rate) {
      const due = start + (i * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise(r => setTimeout(r, wait));
    }
    while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    if (options.maxMs && performance.now() - start > options.maxMs) break;
    const { sha, payload } = items[i];
    const sentAt = performance.now();
    const p = options
      .send(payload)
      .then(
        d => d.status,
        () => undefined,
      )
      .then(status => {
        results.push({ sha, sentAt, acceptedAt: performance.now(), status });
        inFlight.delete(p);
      });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  return results;
}

export interface GitHubCounts {
  /** `.tekton/` listings and files answered 200: primary quota. */
  tektonPrimary: number;
  /** `.tekton/` requests answered 304 Not Modified: free. */
  tektonNotModified: number;
  /** Commit statuses written (pending per new run, then the outcome). */
  statusWrites: number;
  /** Any other request answered with something other than 304. */
  other: number;
}

export function countRequests(entries: RequestLogEntry[]): GitHubCounts {
  const counts: GitHubCounts = {
    tektonPrimary: 0,
    tektonNotModified: 0,
    statusWrites: 0,
    other: 0,
  };
  for (const e of entries) {
    if (e.method === 'GET' && /\/contents\/\.tekton(\/|$|\?)/.test(e.path)) {
      if (e.status === 304) counts.tektonNotModified++;
      else counts.tektonPrimary++;
    } else if (e.method === 'POST' && /\/statuses\//.test(e.path)) {
      counts.statusWrites++;
    } else if (e.status !== 304) {
      counts.other++;
    }
  }
  return counts;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
