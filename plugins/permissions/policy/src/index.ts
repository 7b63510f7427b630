/**
 * The portal's permission policy: admin and member roles assigned in config.
 *
 * @packageDocumentation
 */
export { permissionModulePortalPolicy as default } from './module';
export { PortalPermissionPolicy } from './PortalPermissionPolicy';
export { RoleAssignments, type Role } from './roles';
