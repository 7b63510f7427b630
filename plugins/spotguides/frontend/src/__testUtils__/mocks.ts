import type { SpotguidesApi } from '@pipeline-portal/plugin-spotguides-common';

/** Loosely typed so each test gives only the implementations it needs. */
export type MockSpotguidesApi = { [K in keyof SpotguidesApi]: jest.Mock };

/** Every method a jest.fn answering "nothing yet". */
export function mockSpotguidesApi(
  overrides: Partial<MockSpotguidesApi> = {},
): MockSpotguidesApi {
  return {
    listDeliveries: jest.fn(async () => ({ items: [] })),
    explain: jest.fn(),
    listRuns: jest.fn(async () => ({ items: [] })),
    getBinding: jest.fn(),
    bindRepository: jest.fn(),
    getRepositoryManagement: jest.fn(),
    ...overrides,
  } as MockSpotguidesApi;
}
