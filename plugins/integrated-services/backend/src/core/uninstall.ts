import type { IntegratedServiceEntity } from '@pipeline-portal/plugin-integrated-services-common';
import { ClusterConnection, Header } from './ClusterConnection';
import { ServiceInstance, UNINSTALL_FINALIZER } from './instance';
import { renderedHeaders, targetNamespaceOf } from './render';
import { targetsFrom, writeStatus } from './status';

type Definition = Pick<IntegratedServiceEntity, 'metadata' | 'spec'>;

/**
 * Removes the service's objects (helm-controller uninstalls the release as
 * its HelmRelease goes); once the release is gone, drops the finalizer of a
 * deleted instance, or settles as Disabled (enabled: false).
 */
export async function uninstall(
  conn: ClusterConnection,
  instance: ServiceInstance,
  definition: Definition | undefined,
  deleting: boolean,
  now: Date,
): Promise<'ok' | 'waiting'> {
  const headers = [false, true].map(oci => renderedHeaders(instance, oci));
  const release = headers[0].release as Header;
  const present = await conn.read(release);
  if (present) await conn.delete(release);
  for (const { source } of headers) await conn.delete(source as Header);
  if (definition) {
    const namespace = targetNamespaceOf(definition);
    const names = new Set(
      definition.spec.versions.flatMap(v =>
        (v.secrets ?? []).map(s => s.secretName),
      ),
    );
    for (const name of names) {
      await conn.delete({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace },
      });
    }
  }
  if (present && (await conn.read(release))) {
    await writeStatus(
      conn,
      instance,
      {
        ...instance.status,
        phase: 'Deleting',
        message: 'waiting for the release to be uninstalled',
        plan: undefined,
      },
      now,
    );
    return 'waiting';
  }
  if (deleting) {
    if (instance.metadata.finalizers?.includes(UNINSTALL_FINALIZER)) {
      await conn.merge(instance as Header, {
        metadata: {
          finalizers: instance.metadata.finalizers.filter(
            f => f !== UNINSTALL_FINALIZER,
          ),
        },
      });
    }
    return 'ok';
  }
  await writeStatus(
    conn,
    instance,
    {
      phase: 'Disabled',
      message: `${instance.spec.service} is not installed (enabled: false)`,
      drift: instance.status?.drift,
      ...(definition ? targetsFrom(definition, undefined) : {}),
    },
    now,
  );
  return 'ok';
}
