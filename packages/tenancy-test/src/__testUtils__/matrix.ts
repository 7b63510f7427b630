/*
 * Runs the rows: each caller's request with its expected status, and for a
 * refusal the proof that it did nothing (no request reached the Kubernetes
 * doubles or GitHub, and what it would have changed is as it was).
 */
import assert from 'node:assert/strict';
import { Caller, CALLERS, CallerName } from './callers';
import { templateName } from './seed';
import { ActionRow, RouteRow, Runner, World } from './types';

interface Marks {
  kube: number;
  management: number;
  gh: number;
}

/** Where each request log stands now. */
function marks(w: World): Marks {
  return {
    kube: w.kube.requests.count(),
    management: w.management.requests.count(),
    gh: w.gh.requests.length,
  };
}

/** The requests the doubles served since `m`, e.g. `dev: GET /version`. */
function requestsSince(w: World, m: Marks, writesOnly = false): string[] {
  const seen = [
    ...w.kube.requests
      .list()
      .slice(m.kube)
      .map(r => ['dev', r.method, r.path]),
    ...w.management.requests
      .list()
      .slice(m.management)
      .map(r => ['management', r.method, r.path]),
    ...w.gh.requests.slice(m.gh).map(r => ['GitHub', r.method, r.path]),
  ];
  return seen
    .filter(([, method]) => !writesOnly || method !== 'GET')
    .map(([where, method, path]) => `${where}: ${method} ${path}`);
}

/** Every caller of a row: the five, then the plugins it names. */
function callersOf(row: RouteRow): Array<[CallerName, number]> {
  return [
    ...CALLERS.map(c => [c, row.expect[c as Caller]] as [CallerName, number]),
    ...Object.entries(row.expect.services ?? {}).map(
      ([id, status]) => [`plugin:${id}`, status] as [CallerName, number],
    ),
  ];
}

/** Sends a row's request as each caller, in turn, and checks each answer. */
export async function runRow(w: World, pluginId: string, row: RouteRow) {
  for (const [caller, expected] of callersOf(row)) {
    const call = await row.call(w, caller);
    const before = row.state ? await row.state(w, call) : undefined;
    const mark = marks(w);
    const res = await w.send(call, caller);
    const what = `${pluginId} ${row.route} as ${caller} (${call.method} ${call.path})`;
    if (res.status !== expected) {
      throw new Error(
        `${what}: expected ${expected}, got ${res.status}: ${res.text}`,
      );
    }
    const refused =
      res.status === 401 ||
      res.status === 403 ||
      (res.status === 404 && !!row.notFoundRefuses);
    if (refused || row.silentFor?.includes(caller)) {
      const reached = requestsSince(w, mark);
      assert.deepEqual(reached, [], `${what} reached ${reached.join(', ')}`);
    }
    if (refused && row.state) {
      const after = await row.state(w, call);
      assert.deepEqual(
        after,
        before,
        `${what} changed ${JSON.stringify(before)} to ${JSON.stringify(after)}`,
      );
    }
    await row.verify?.(res, caller, w);
  }
}

const delay = (ms: number) => new Promise(r => setTimeout(r, ms));
const DONE = ['completed', 'failed', 'cancelled'];

/** A task of an action's template: its end, its log and the writes it caused. */
export interface TaskRun {
  status: string;
  log: string;
  writes: string[];
}

/** Runs one action's template as a runner and waits for the task's end. */
export async function runTask(
  w: World,
  row: ActionRow,
  runner: Runner,
): Promise<TaskRun> {
  await row.prepare?.(w, runner);
  const mark = marks(w);
  const created = await w.send(
    {
      method: 'POST',
      path: '/api/scaffolder/v2/tasks',
      body: {
        templateRef: `template:default/${templateName(row.id)}`,
        values: row.input(w, runner),
        ...(row.secrets ? { secrets: row.secrets(w) } : {}),
      },
    },
    runner,
  );
  if (created.status !== 201) {
    throw new Error(
      `${row.id} as ${runner}: ${created.status} ${created.text}`,
    );
  }
  const taskPath = `/api/scaffolder/v2/tasks/${created.body.id}`;
  let status = 'open';
  for (const end = Date.now() + 60_000; !DONE.includes(status); ) {
    if (Date.now() > end) throw new Error(`${row.id} as ${runner}: ${status}`);
    await delay(100);
    status = (await w.send({ method: 'GET', path: taskPath }, runner)).body
      .status;
  }
  const events = await w.send(
    { method: 'GET', path: `${taskPath}/events` },
    runner,
  );
  const log = (events.body as Array<{ body: { message?: string } }>)
    .map(e => e.body.message ?? '')
    .join('\n');
  return { status, log, writes: requestsSince(w, mark, true) };
}
