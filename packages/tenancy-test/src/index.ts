/**
 * The tenancy boundary as a test (`src/tenancy.test.ts`): nothing to import.
 *
 * @packageDocumentation
 */
export {};
