/**
 * The standalone integrated-services operator: reconciles the ServiceInstances
 * of the cluster it runs in, with the pod's service account and the service
 * definitions mounted as files. Configured by environment:
 *   NAMESPACE           namespace of the ServiceInstances (default pipeline-system)
 *   DEFINITIONS_DIR     directory of IntegratedService YAML (default catalog/integrated-services)
 *   SCOPE               all | external (default all)
 *   INTERVAL_SECONDS    seconds between passes (default 15)
 *   REQUESTS_PER_SECOND bound of requests against the API server (default 25)
 */
import { resolve } from 'node:path';
import { ClusterConnection } from '../core/ClusterConnection';
import { DEFAULT_NAMESPACE } from '../core/instance';
import { loadDefinitionFiles } from './definitionFiles';
import { Operator, OperatorScope } from './Operator';

const env = process.env;
const log = (level: string, message: string) =>
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level, message })}\n`,
  );

function number(name: string, fallback: number): number {
  const value = env[name] === undefined ? fallback : Number(env[name]);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number`);
  }
  return value;
}

function main() {
  if (!env.KUBERNETES_SERVICE_HOST) {
    throw new Error(
      'not running in a cluster: KUBERNETES_SERVICE_HOST is not set',
    );
  }
  const scope = (env.SCOPE ?? 'all') as OperatorScope;
  if (scope !== 'all' && scope !== 'external') {
    throw new Error('SCOPE must be all or external');
  }
  const dir = resolve(env.DEFINITIONS_DIR ?? 'catalog/integrated-services');
  const { definitions, problems } = loadDefinitionFiles(dir);
  problems.forEach(p => log('warn', `definition left out: ${p}`));
  log('info', `${definitions.size} service definitions from ${dir}`);
  const operator = new Operator({
    conn: ClusterConnection.inCluster({
      requestsPerSecond: number('REQUESTS_PER_SECOND', 25),
    }),
    namespace: env.NAMESPACE ?? DEFAULT_NAMESPACE,
    definitions,
    scope,
    intervalMs: number('INTERVAL_SECONDS', 15) * 1000,
    log,
  });
  operator.start();
  const shutdown = () => {
    log('info', 'stopping after the pass in progress');
    operator.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

try {
  main();
} catch (error) {
  log('error', (error as Error).message);
  process.exit(1);
}
