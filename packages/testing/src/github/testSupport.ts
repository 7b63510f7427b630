import { execFile } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

/** Helpers shared by the GitHub double's tests. */

/** The status, body and headers of a request expected to fail. */
export const fail = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e: any) {
    return {
      status: e.status as number,
      data: e.response?.data,
      headers: e.response?.headers ?? {},
    };
  }
  throw new Error('expected the request to fail');
};

/** Octokit logs every failed request; the failures in tests are on purpose. */
export const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export interface Received {
  event: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  valid: boolean;
}

/** A webhook receiver that checks signatures the way a consumer should. */
export async function receiver(secret: string) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const expected = Buffer.from(
        `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`,
      );
      const got = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
      received.push({
        event: String(req.headers['x-github-event']),
        headers: req.headers,
        body: JSON.parse(raw),
        valid: got.length === expected.length && timingSafeEqual(got, expected),
      });
      res.writeHead(202).end('ok');
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    /** Deliveries of one event (and action), oldest first. */
    of: (event: string, action?: string) =>
      received.filter(
        r => r.event === event && (!action || r.body.action === action),
      ),
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

const run = promisify(execFile);

/** The git CLI with a fixed identity and no prompts. */
export const git = (cwd: string, ...args: string[]) =>
  run(
    'git',
    [
      '-c',
      'user.name=Dev',
      '-c',
      'user.email=dev@example.com',
      '-c',
      'init.defaultBranch=main',
      ...args,
    ],
    { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
  );
