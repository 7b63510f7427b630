import {
  IntegratedServiceEntity,
  ListInstancesRequest,
  newestVersion,
  ServiceInstanceView,
  ServiceSummary,
  sortedVersions,
} from '@pipeline-portal/plugin-integrated-services-common';

/** A definition as the services list shows it, newest version first. */
export function summaryOf(d: IntegratedServiceEntity): ServiceSummary {
  return {
    name: d.metadata.name,
    ...(d.metadata.title ? { title: d.metadata.title } : {}),
    ...(d.metadata.description ? { description: d.metadata.description } : {}),
    category: d.spec.category,
    owner: d.spec.owner,
    versions: sortedVersions(d).map(v => v.version),
    newestVersion: newestVersion(d).version,
  };
}

/** Whether an instance passes the fleet list's filters. */
export function matches(
  view: ServiceInstanceView,
  f: ListInstancesRequest,
): boolean {
  if (f.service && view.service !== f.service) return false;
  if (
    f.version &&
    view.status.installedVersion !== f.version &&
    view.desired.version !== f.version
  ) {
    return false;
  }
  if (f.phase && view.status.phase !== f.phase) return false;
  if (f.drift !== undefined && view.status.drift.length > 0 !== f.drift) {
    return false;
  }
  return true;
}
