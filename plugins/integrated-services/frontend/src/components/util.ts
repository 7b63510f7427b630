import type { InstancePhase } from '@pipeline-portal/plugin-integrated-services-common';

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

/** Phases the reconciler is still working in: the pages poll while one shows. */
export const TRANSITIONAL_PHASES: readonly InstancePhase[] = [
  'Pending',
  'Installing',
  'Upgrading',
  'Deleting',
];

export const ALL_PHASES: readonly InstancePhase[] = [
  'Pending',
  'Installing',
  'Upgrading',
  'Ready',
  'Failed',
  'Disabled',
  'Deleting',
];

export function isTransitional(phase: InstancePhase | undefined): boolean {
  return !!phase && TRANSITIONAL_PHASES.includes(phase);
}

export function formatTime(iso: string | undefined): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** Orders `1.9.0` before `1.10.0`; a pre-release suffix sorts by text. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .replace(/^v/, '')
      .split(/[.-]/)
      .map(p => (/^\d+$/.test(p) ? Number(p) : p));
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x !== y) {
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      return String(x) < String(y) ? -1 : 1;
    }
  }
  return 0;
}
