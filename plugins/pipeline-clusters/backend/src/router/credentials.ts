import {
  createCredentialSchema,
  ownerSchema,
  rfc1123Label,
  secretManagePermission,
} from '@pipeline-portal/plugin-pipeline-clusters-common';
import { z } from 'zod';
import { parse, RawRequest, RequestReaders } from './parse';
import { ApiRouter, RouteDeps } from './types';

const credentialName = (req: RawRequest) =>
  parse(rfc1123Label(63), req.params.name, 'credential name in path');

export const credentialReaders = {
  listCredentials: req =>
    parse(
      z.strictObject({ owner: ownerSchema.optional() }),
      req.query,
      'query',
    ),
  createCredential: req =>
    parse(createCredentialSchema, req.body, 'credential'),
  deleteCredential: req => ({
    name: credentialName(req),
    ...parse(z.strictObject({ owner: ownerSchema }), req.query, 'query'),
  }),
  getCredentialValue: req => ({
    owner: parse(ownerSchema, req.params.owner, 'owner in path'),
    name: credentialName(req),
  }),
} satisfies RequestReaders;

/** Cloud credentials of owner groups; values only to other plugins. */
export function credentialRoutes(router: ApiRouter, deps: RouteDeps) {
  const { httpAuth, authorization, credentials: secrets, serviceAccess } = deps;
  const r = credentialReaders;
  // Credentials are managed by people; other plugins only read values
  // through the route below, when on its list.
  const caller = (req: Parameters<typeof httpAuth.credentials>[0]) =>
    httpAuth.credentials(req, { allow: ['user'] });

  router.get('/credentials', async (req, res) => {
    const credentials = await caller(req);
    await authorization.require(secretManagePermission, credentials);
    const { owner } = r.listCredentials(req);
    if (owner) await authorization.requireActFor(owner, credentials);
    const items = await secrets.listCredentials(owner);
    const visible = [];
    for (const item of items) {
      if (owner || (await authorization.mayActFor(item.owner, credentials))) {
        visible.push(item);
      }
    }
    res.json({ items: visible });
  });

  router.post('/credentials', async (req, res) => {
    const credentials = await caller(req);
    await authorization.require(secretManagePermission, credentials);
    const request = r.createCredential(req);
    await authorization.requireActFor(request.owner, credentials);
    res.status(201).json(await secrets.createCredential(request));
  });

  router.delete('/credentials/:name', async (req, res) => {
    const credentials = await caller(req);
    await authorization.require(secretManagePermission, credentials);
    const { owner, name } = r.deleteCredential(req);
    await authorization.requireActFor(owner, credentials);
    await secrets.deleteCredential({ owner, name });
    res.status(204).end();
  });

  // The plugins on its list only (integrated services): never users, never logged.
  router.get('/credentials/:owner/:name/value', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    serviceAccess.require(credentials, 'credentialValue');
    const ref = r.getCredentialValue(req);
    const value = await secrets.credentialValue(ref);
    res.set('Cache-Control', 'no-store').json({ value });
  });
}
