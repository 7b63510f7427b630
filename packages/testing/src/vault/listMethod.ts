import http from 'node:http';
import net from 'node:net';
import { Duplex } from 'node:stream';

/**
 * Vault's `LIST` verb is not a method Node's HTTP parser accepts, so each
 * connection passes through this shim, which rewrites a request line
 * `LIST /v1/x HTTP/1.1` into `GET /v1/x?list=true HTTP/1.1` (Vault treats
 * both the same). Requests are recognized at the start of a read, which
 * holds for clients that wait for a response before the next request
 * (no HTTP pipelining).
 */
class ListRewritingSocket extends Duplex {
  constructor(private readonly socket: net.Socket) {
    super();
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(rewrite(chunk))) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', e => this.destroy(e));
    socket.on('close', () => this.destroy());
  }

  get remoteAddress() {
    return this.socket.remoteAddress;
  }

  get remotePort() {
    return this.socket.remotePort;
  }

  setTimeout(ms: number, cb?: () => void) {
    this.socket.setTimeout(ms, cb);
    return this;
  }

  setNoDelay(noDelay?: boolean) {
    this.socket.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, delay?: number) {
    this.socket.setKeepAlive(enable, delay);
    return this;
  }

  _read() {
    this.socket.resume();
  }

  _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void) {
    this.socket.write(chunk, cb);
  }

  _final(cb: () => void) {
    this.socket.end(cb);
  }

  _destroy(err: Error | null, cb: (e: Error | null) => void) {
    this.socket.destroy();
    cb(err);
  }
}

const LIST = Buffer.from('LIST ');

function rewrite(chunk: Buffer): Buffer {
  if (
    chunk.length < LIST.length ||
    !chunk.subarray(0, LIST.length).equals(LIST)
  ) {
    return chunk;
  }
  const lineEnd = chunk.indexOf(' ', LIST.length);
  if (lineEnd < 0) return chunk;
  const target = chunk.subarray(LIST.length, lineEnd).toString('latin1');
  const sep = target.includes('?') ? '&' : '?';
  return Buffer.concat([
    Buffer.from(`GET ${target}${sep}list=true`, 'latin1'),
    chunk.subarray(lineEnd),
  ]);
}

/** A TCP server feeding an HTTP server through the LIST shim. */
export function createListAwareServer(handler: http.RequestListener) {
  const httpServer = http.createServer(handler);
  httpServer.keepAliveTimeout = 30_000;
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer(socket => {
    sockets.add(socket);
    // Responses are written in pieces; without this, Nagle + delayed ACK add ~40 ms each.
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    httpServer.emit('connection', new ListRewritingSocket(socket));
  });
  return {
    tcp,
    close: () =>
      new Promise<void>(resolve => {
        tcp.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
