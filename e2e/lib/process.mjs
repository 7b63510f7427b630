// Stopping a child started with `detached: true` (its own process group), so
// whatever it started itself goes too.

/**
 * SIGTERM to the child's process group, SIGKILL after `graceMs`; resolves
 * when the child has exited. Nothing when it has exited already.
 *
 * @param {import('node:child_process').ChildProcess} child
 * @param {Promise<unknown>} exited resolves on the child's 'exit'
 * @param {number} graceMs
 */
export async function stopProcessGroup(child, exited, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const signal = name => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
