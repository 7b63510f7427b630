/** One entry of the `errors` array GitHub puts in 422 bodies. */
export interface ValidationErrorItem {
  resource: string;
  field?: string;
  code: 'missing' | 'missing_field' | 'invalid' | 'already_exists' | 'custom';
  message?: string;
}

/**
 * Thrown by handlers; the server renders it in GitHub's error shape
 * `{ message, documentation_url, errors?, status }`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: {
      errors?: ValidationErrorItem[];
      documentationUrl?: string;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
  }
}

export const notFound = () => new ApiError(404, 'Not Found');

export const validationFailed = (...errors: ValidationErrorItem[]) =>
  new ApiError(422, 'Validation Failed', { errors });

export const DOCS = 'https://docs.github.com/rest';
export const RATE_LIMIT_DOCS =
  'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
export const SECONDARY_RATE_LIMIT_DOCS =
  'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';

/** Rejects a missing or non-string field the way GitHub's validator does. */
export function requireString(
  body: Record<string, unknown>,
  field: string,
  resource: string,
): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw validationFailed({ resource, field, code: 'missing_field' });
  }
  return value;
}
