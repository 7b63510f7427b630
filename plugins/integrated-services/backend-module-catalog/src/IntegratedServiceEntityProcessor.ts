import {
  Entity,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  getCompoundEntityRef,
  parseEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  LocationSpec,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  IntegratedServiceEntity,
  formatIssues,
  isIntegratedServiceEntity,
  validateIntegratedService,
} from '@pipeline-portal/plugin-integrated-services-common';

/**
 * Accepts `IntegratedService` entities that match the kind's JSON Schema and
 * relates each to its owner. A definition that does not match is refused with
 * every bad field's JSON pointer; the catalog records that on the entity (its
 * `backstage.io/catalog-processing` status) and goes on with the others.
 */
export class IntegratedServiceEntityProcessor implements CatalogProcessor {
  getProcessorName(): string {
    return 'IntegratedServiceEntityProcessor';
  }

  async validateEntityKind(entity: Entity): Promise<boolean> {
    if (!isIntegratedServiceEntity(entity)) return false;
    let result: ReturnType<typeof validateIntegratedService>;
    try {
      result = validateIntegratedService(entity);
    } catch (error) {
      // A validator fault is this definition's problem, not the catalog's.
      throw new InputError(
        `IntegratedService ${entity.metadata.name} could not be validated: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
    if (!result.valid) {
      throw new InputError(
        `IntegratedService ${entity.metadata.name} is invalid: ${formatIssues(
          result.issues,
        )}`,
      );
    }
    return true;
  }

  async postProcessEntity(
    entity: Entity,
    _location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isIntegratedServiceEntity(entity)) return entity;
    const { owner } = (entity as unknown as IntegratedServiceEntity).spec;
    if (typeof owner !== 'string' || owner.length === 0) return entity;
    const self = getCompoundEntityRef(entity);
    const target = parseEntityRef(owner, {
      defaultKind: 'Group',
      defaultNamespace: self.namespace,
    });
    emit(
      processingResult.relation({
        source: self,
        type: RELATION_OWNED_BY,
        target,
      }),
    );
    emit(
      processingResult.relation({
        source: target,
        type: RELATION_OWNER_OF,
        target: self,
      }),
    );
    return entity;
  }
}
