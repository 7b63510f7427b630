import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, test } from 'node:test';
import { createApp, SERVICE } from './app.ts';

let server: Server;
let base: string;

before(async () => {
  server = await new Promise<Server>(resolve => {
    const s = createApp().listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>(resolve => server.close(() => resolve())));

test('answers the readiness probe', async () => {
  const res = await fetch(`${base}/healthz`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'ok');
});

test('says which service it is', async () => {
  const res = await fetch(`${base}/`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { service: SERVICE, message: 'hello' });
});

test('answers 404 for unknown routes', async () => {
  const res = await fetch(`${base}/nowhere`);
  assert.equal(res.status, 404);
});
