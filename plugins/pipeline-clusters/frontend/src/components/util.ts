import { identityApiRef, useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';

/** The message to show for a failed call: the server's, which names the field at fault. */
export function errorMessage(error: unknown): string {
  const body = (error as { body?: { error?: { message?: string } } })?.body;
  if (body?.error?.message) {
    return body.error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function statusCodeOf(error: unknown): number | undefined {
  const e = error as {
    statusCode?: number;
    body?: { response?: { statusCode?: number } };
  };
  return e?.statusCode ?? e?.body?.response?.statusCode;
}

/** The groups the signed-in user belongs to: the owners they may pick. */
export function useOwnerGroups() {
  const identityApi = useApi(identityApiRef);
  return useAsync(async () => {
    const identity = await identityApi.getBackstageIdentity();
    return identity.ownershipEntityRefs.filter(ref =>
      ref.toLocaleLowerCase('en-US').startsWith('group:'),
    );
  }, [identityApi]);
}

export type Issue = { path: PropertyKey[]; message: string };

/** Zod issues keyed by their dotted path (`nodePools.0.minSize`), first one wins. */
export function fieldErrors(issues: readonly Issue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join('.');
    if (!(key in errors)) {
      errors[key] = issue.message;
    }
  }
  return errors;
}

/** A number input's value: empty stays undefined so the schema names it. */
export function toNumber(value: string): number | undefined {
  return value.trim() === '' ? undefined : Number(value);
}

export function formatTime(iso: string | undefined): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** Compares Kubernetes minor versions such as 1.9 and 1.31 numerically. */
export function compareMinor(a: string, b: string): number {
  const [aMajor, aMinor] = a.replace(/^v/, '').split('.').map(Number);
  const [bMajor, bMinor] = b.replace(/^v/, '').split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}
