{%- if values.framework == 'express' %}
import express from 'express';

export const SERVICE = '${{ values.name }}';

/** The service's routes; `index.ts` listens, the tests call it on a free port. */
export function createApp() {
  const app = express();
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  app.get('/', (_req, res) => {
    res.json({ service: SERVICE, message: 'hello' });
  });
  app.use((req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
  });
  return app;
}
{%- else %}
import { createServer } from 'node:http';

export const SERVICE = '${{ values.name }}';

/** The service's routes; `index.ts` listens, the tests call it on a free port. */
export function createApp() {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else if (req.method === 'GET' && path === '/') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ service: SERVICE, message: 'hello' }));
    } else {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: `no route for ${req.method} ${path}` }));
    }
  });
}
{%- endif %}
