/**
 * The management cluster of bench/clusters/reconcile as its own process: the
 * Kubernetes double with every engine CRD and the engines played, so that its
 * TLS and schema validation use a core of their own, as a real management
 * cluster would, instead of the portal's event loop. Driven over IPC.
 */
import { playEngines } from '../../plugins/pipeline-clusters/backend/src/__testUtils__/engines';
import { startManagementCluster } from '../../plugins/pipeline-clusters/backend/src/__testUtils__/fixtures';

type Message =
  | { type: 'latency'; id: number; ms: number }
  | { type: 'log'; id: number; since: number; until: number };

async function main() {
  const api = await startManagementCluster();
  playEngines(api, { readyAfterMs: 5 });
  process.on('message', (message: Message) => {
    if (message.type === 'latency') {
      api.faults.add({ latencyMs: message.ms });
      process.send!({ id: message.id });
    } else if (message.type === 'log') {
      const records = api.requests
        .list(
          r =>
            r.timestamp >= message.since &&
            r.timestamp <= message.until &&
            !r.watch,
        )
        .map(r => ({
          timestamp: r.timestamp,
          method: r.method,
          path: r.path,
          status: r.status,
          durationMs: r.durationMs,
        }));
      process.send!({ id: message.id, records });
    }
  });
  process.on('disconnect', () => {
    api.close().finally(() => process.exit(0));
  });
  process.send!({ id: 0, url: api.url, caData: api.caData, token: api.token });
}

main().catch(error => {
  process.stderr.write(`${error}\n`);
  process.exit(1);
});
