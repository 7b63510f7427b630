import type { GitHubDouble, KubeApi } from '@pipeline-portal/testing';
import type { Server } from 'node:http';
import type { Response } from 'supertest';
import type { Caller, CallerName } from './callers';
import type { OnDemandScheduler } from './scheduler';

/** One HTTP request; `path` is the backend's, e.g. `/api/pipeline-clusters/clusters/dev`. */
export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The doubles: they start before the backend, whose config names them. */
export interface Doubles {
  /** Imported as cluster `dev`, owned by payments: the owner's workloads. */
  kube: KubeApi;
  /**
   * The management cluster. Provisioning requests are only recorded: the
   * reconciler never runs here, so nothing may reach it at all.
   */
  management: KubeApi;
  /** Holds `payments/orders`, the owner's repository. */
  gh: GitHubDouble;
  /** A kubeconfig of `kube`, as a team imports it. */
  kubeconfig: string;
}

export interface World extends Doubles {
  server: Server;
  scheduler: OnDemandScheduler;
  /** Sends a call as a caller (the token is made for the path's plugin). */
  send(call: Call, caller: CallerName): Promise<Response>;
  /** Sends a call as the admin; fails unless the status is one of `ok`. */
  asAdmin(call: Call, ...ok: number[]): Promise<Response>;
  /** The same as the owner. */
  asOwner(call: Call, ...ok: number[]): Promise<Response>;
}

/** The answer each caller gets; `services` for further plugin callers (`plugin:<id>`). */
export type Expected = Record<Caller, number> & {
  services?: Record<string, number>;
};

/** One operation of a plugin's REST API, and how every caller is answered. */
export interface RouteRow {
  /** `METHOD /path/:param` of the OpenAPI document (plugin base URL left out). */
  route: string;
  /** What the product checks on this route, for the reader. */
  checks: string;
  /**
   * The request, aimed at the owner's resources. A destructive row
   * prepares a resource of the owner's for each caller here, so no caller's
   * success takes away what a later row needs.
   */
  call(w: World, caller: CallerName): Call | Promise<Call>;
  expect: Expected;
  /** A 404 on this route is the refusal ("not found", existence is not told). */
  notFoundRefuses?: boolean;
  /** What a refused write must leave as it was (read before and after). */
  state?(w: World, call: Call): unknown | Promise<unknown>;
  /** Further checks of an answer. */
  verify?(res: Response, caller: CallerName, w: World): void | Promise<void>;
  /** Callers whose answer, though not a refusal, must not reach a cluster or GitHub. */
  silentFor?: CallerName[];
}

/** A route table: the rows of one plugin, and the OpenAPI document they cover. */
export interface RouteTable {
  pluginId: string;
  /** The document's path inside its package; none for a plugin not of ours. */
  document?: { packageName: string; path: string };
  rows: RouteRow[];
}

/** Who runs a template in the action rows: the owner, or the other team's member. */
export type Runner = 'owner' | 'other';

/** One scaffolder action of ours, run in a task as the owner and as another team's member. */
export interface ActionRow {
  id: string;
  /** What the action checks, and against whose identity. */
  checks: string;
  /** The input, aimed at the owner's resources. */
  input(d: Doubles, runner: Runner): Record<string, unknown>;
  /** Task secrets the input refers to as `${{ secrets.<key> }}`. */
  secrets?(d: Doubles): Record<string, string>;
  /** Makes what the run needs (e.g. a resource the owner's run deletes). */
  prepare?(w: World, runner: Runner): Promise<void>;
  /**
   * The other team's member: refused (the task fails with this in its log,
   * no cluster or GitHub sees a write), or `completes` where the action only
   * reads what every member may read.
   */
  other: RegExp | 'completes';
  /** Checks what the two runs left: the owner's change made, the other's not. */
  verify?(w: World): Promise<void>;
}
