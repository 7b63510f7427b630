import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Spotguides permissions. Deliveries, runs and explanations belong to the
 * catalog component that claims the repository, so they are permissions on
 * catalog entities: the caller must also be able to read the component in
 * the catalog, and the portal's policy can narrow each further.
 */
const CATALOG_ENTITY = 'catalog-entity';

/** Reading the deliveries of a component's repository. */
export const spotguidesDeliveryReadPermission = createPermission({
  name: 'spotguides.delivery.read',
  attributes: { action: 'read' },
  resourceType: CATALOG_ENTITY,
});

/** Reading a component's pipeline runs. */
export const spotguidesRunReadPermission = createPermission({
  name: 'spotguides.run.read',
  attributes: { action: 'read' },
  resourceType: CATALOG_ENTITY,
});

/** Explaining which pipelines of a component's repository would run. */
export const spotguidesExplainPermission = createPermission({
  name: 'spotguides.explain',
  attributes: { action: 'read' },
  resourceType: CATALOG_ENTITY,
});

/**
 * Binding a repository to a component, so that its events run that
 * component's pipelines in its owner's namespaces: the component's owners
 * (and admins) only.
 */
export const spotguidesRepositoryBindPermission = createPermission({
  name: 'spotguides.repository.bind',
  attributes: { action: 'update' },
  resourceType: CATALOG_ENTITY,
});

/**
 * Reading deliveries of repositories that no readable component claims
 * (refused deliveries, repositories not yet registered): admins.
 */
export const spotguidesUnclaimedDeliveryReadPermission = createPermission({
  name: 'spotguides.delivery.unclaimed.read',
  attributes: { action: 'read' },
});

export const spotguidesPermissions = [
  spotguidesDeliveryReadPermission,
  spotguidesRunReadPermission,
  spotguidesExplainPermission,
  spotguidesRepositoryBindPermission,
  spotguidesUnclaimedDeliveryReadPermission,
];
