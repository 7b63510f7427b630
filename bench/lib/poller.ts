/*
 * Polls a URL on a fixed schedule from a worker thread, so the bench's own
 * work (the doubles, signing deliveries) never delays a probe: a probe starts
 * every `intervalMs` whether or not the previous one has answered, as a load
 * balancer's or the kubelet's would, and its latency is the time to the
 * answer's end. A probe still open when the poller stops counts with the
 * time it has waited so far.
 */
import { Worker } from 'node:worker_threads';

export interface ProbeSample {
  /** When the probe started (epoch ms, the bench's and the portal's clock). */
  at: number;
  ms: number;
  /** The HTTP status; 0 for a network error, -1 still open at stop. */
  status: number;
}

export interface Poller {
  stop(): Promise<ProbeSample[]>;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, intervalMs, timeoutMs } = workerData;
const samples = [];
const open = new Map();
let next = 0;
const probe = () => {
  const id = next++;
  const at = Date.now();
  const t0 = performance.now();
  open.set(id, { at, t0 });
  fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    .then(async res => { await res.arrayBuffer(); return res.status; }, () => 0)
    .then(status => {
      if (!open.delete(id)) return;
      samples.push({ at, ms: performance.now() - t0, status });
    });
};
const timer = setInterval(probe, intervalMs);
probe();
parentPort.on('message', () => {
  clearInterval(timer);
  const now = performance.now();
  for (const { at, t0 } of open.values()) {
    samples.push({ at, ms: now - t0, status: -1 });
  }
  open.clear();
  parentPort.postMessage(samples);
});
`;

export function startPoller(
  url: string,
  options: { intervalMs?: number; timeoutMs?: number } = {},
): Poller {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      url,
      intervalMs: options.intervalMs ?? 20,
      timeoutMs: options.timeoutMs ?? 60_000,
    },
  });
  return {
    async stop() {
      const samples = new Promise<ProbeSample[]>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      worker.postMessage('stop');
      const result = await samples;
      await worker.terminate();
      return result.sort((a, b) => a.at - b.at);
    },
  };
}
