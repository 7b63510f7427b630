/*
 * The process side of every test double started by double.mjs: start it,
 * print the one JSON line the launcher reads, serve until SIGTERM / SIGINT,
 * and report a failed start on stderr with a non-zero exit.
 */
export function serveDouble(
  name: string,
  start: () => Promise<{ ready: object; stop(): Promise<void> | void }>,
): void {
  start()
    .then(({ ready, stop }) => {
      process.stdout.write(`${JSON.stringify(ready)}\n`);
      const exit = async () => {
        await stop();
        process.exit(0);
      };
      process.once('SIGTERM', exit);
      process.once('SIGINT', exit);
    })
    .catch(err => {
      process.stderr.write(`${name}: ${err && err.stack ? err.stack : err}\n`);
      process.exit(1);
    });
}
