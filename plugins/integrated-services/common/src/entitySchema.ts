import {
  INTEGRATED_SERVICE_API_VERSION,
  INTEGRATED_SERVICE_KIND,
} from './types';

/** Semantic version 2.0.0, without a leading `v`. */
export const SEMVER_PATTERN =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$';

const JSON_POINTER = '^(/([^~/]|~[01])*)*$';
const RFC1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

const resourceSelector = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind'],
  properties: {
    apiVersion: { type: 'string', minLength: 1 },
    kind: { type: 'string', minLength: 1 },
    namespace: { type: 'string', pattern: RFC1123_LABEL },
    name: { type: 'string', minLength: 1 },
    labelSelector: { type: 'string', minLength: 1 },
  },
};

const step = {
  type: 'object',
  required: ['type'],
  properties: {
    type: {
      enum: ['chartUpgrade', 'deleteResources', 'patchResource', 'runJob'],
    },
  },
  allOf: [
    {
      if: { properties: { type: { const: 'chartUpgrade' } } },
      then: {
        additionalProperties: false,
        properties: { type: {}, description: { type: 'string' } },
      },
    },
    {
      if: { properties: { type: { const: 'deleteResources' } } },
      then: {
        additionalProperties: false,
        required: ['resources'],
        properties: {
          type: {},
          description: { type: 'string' },
          resources: {
            type: 'array',
            minItems: 1,
            items: {
              ...resourceSelector,
              anyOf: [{ required: ['name'] }, { required: ['labelSelector'] }],
            },
          },
        },
      },
    },
    {
      if: { properties: { type: { const: 'patchResource' } } },
      then: {
        additionalProperties: false,
        required: ['resource', 'patchType', 'patch'],
        properties: {
          type: {},
          description: { type: 'string' },
          resource: {
            ...resourceSelector,
            required: ['apiVersion', 'kind', 'name'],
          },
          patchType: { enum: ['merge', 'json', 'strategic'] },
          patch: { type: ['object', 'array'] },
        },
      },
    },
    {
      if: { properties: { type: { const: 'runJob' } } },
      then: {
        additionalProperties: false,
        required: ['job', 'timeoutSeconds'],
        properties: {
          type: {},
          description: { type: 'string' },
          timeoutSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
          job: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'image'],
            properties: {
              name: { type: 'string', pattern: RFC1123_LABEL, maxLength: 52 },
              image: { type: 'string', minLength: 1 },
              command: { type: 'array', items: { type: 'string' } },
              args: { type: 'array', items: { type: 'string' } },
              serviceAccountName: { type: 'string', pattern: RFC1123_LABEL },
              env: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['name', 'value'],
                  properties: {
                    name: { type: 'string', minLength: 1 },
                    value: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
    },
  ],
};

const edge = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'steps'],
  properties: {
    from: { type: 'string', pattern: SEMVER_PATTERN },
    to: { type: 'string', pattern: SEMVER_PATTERN },
    steps: { type: 'array', minItems: 1, items: step },
  },
};

const mappingRule = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', pattern: JSON_POINTER },
    to: { type: 'string', pattern: JSON_POINTER, minLength: 1 },
    when: { type: 'string', pattern: JSON_POINTER, minLength: 1 },
    equals: {},
    values: { type: 'object' },
    appendArrays: { type: 'boolean' },
  },
  dependentRequired: { from: ['to'], to: ['from'], equals: ['when'] },
  anyOf: [{ required: ['from'] }, { required: ['values'] }],
};

const version = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'chart', 'values', 'specSchema', 'valuesMapping'],
  properties: {
    version: { type: 'string', pattern: SEMVER_PATTERN },
    description: { type: 'string' },
    deprecated: { type: 'boolean' },
    chart: {
      type: 'object',
      additionalProperties: false,
      required: ['repository', 'name', 'version'],
      properties: {
        repository: { type: 'string', pattern: '^(https?|oci)://[^\\s]+$' },
        name: { type: 'string', minLength: 1 },
        version: { type: 'string', pattern: `^v?${SEMVER_PATTERN.slice(1)}` },
        type: { enum: ['helm', 'oci'] },
      },
    },
    values: { type: 'object' },
    specSchema: { type: 'object' },
    valuesMapping: { type: 'array', items: mappingRule },
    secrets: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['field', 'secretName', 'keys'],
        properties: {
          field: { type: 'string', pattern: JSON_POINTER, minLength: 1 },
          secretName: {
            type: 'string',
            pattern: RFC1123_LABEL,
            maxLength: 253,
          },
          keys: {
            type: 'array',
            minItems: 1,
            items: { type: 'string', pattern: '^[-._a-zA-Z0-9]+$' },
          },
        },
      },
    },
  },
};

/**
 * The JSON Schema (draft 2019-09) of an IntegratedService entity. The catalog
 * checks the envelope; this checks everything under `spec` and names the kind.
 */
export const integratedServiceEntitySchema = {
  $schema: 'https://json-schema.org/draft/2019-09/schema',
  $id: 'https://pipeline-portal.io/schemas/IntegratedService.v1alpha1.json',
  title: 'IntegratedService',
  description:
    'A versioned cluster service: its Helm chart per version, the spec users fill in, and how to move between versions.',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: INTEGRATED_SERVICE_API_VERSION },
    kind: { const: INTEGRATED_SERVICE_KIND },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', pattern: RFC1123_LABEL, maxLength: 53 },
        title: { type: 'string', minLength: 1 },
        description: { type: 'string' },
      },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['owner', 'category', 'versions', 'upgraders', 'downgraders'],
      properties: {
        owner: { type: 'string', minLength: 1 },
        category: { type: 'string', pattern: RFC1123_LABEL },
        namespace: { type: 'string', pattern: RFC1123_LABEL, maxLength: 63 },
        releaseName: { type: 'string', pattern: RFC1123_LABEL, maxLength: 53 },
        versions: { type: 'array', minItems: 1, items: version },
        upgraders: { type: 'array', items: edge },
        downgraders: { type: 'array', items: edge },
      },
    },
  },
} as const;
