import net from 'node:net';

/**
 * A TCP forwarder on a port known before the backend starts: config (the
 * webhook URL) is read at start-up, while a test backend gets its port after.
 */
export async function startForwarder(): Promise<{
  port: number;
  forwardTo(port: number): void;
  close(): Promise<void>;
}> {
  let target: number | undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer(client => {
    if (!target) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    forwardTo(port) {
      target = port;
    },
    close: () =>
      new Promise<void>(resolve => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
