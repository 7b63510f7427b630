/*
 * CPU time by process (Linux /proc), for benchmarks that say where a
 * machine's cores went: the portal, PostgreSQL and the benchmark itself
 * (load generator and doubles) share them.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** User + system CPU time of one process and its threads (ms). */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) in parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100;
  } catch {
    return 0;
  }
}

/** CPU time of every process whose command is `name` (ms), e.g. `postgres`. */
export function commandCpuMs(name: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm === name) total += processCpuMs(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

export interface CpuSplit {
  portal: number;
  postgres: number;
  bench: number;
}

/** The CPU spent since `start` by the portal, PostgreSQL and this process (ms). */
export function cpuSplit(portalPid: number): () => CpuSplit {
  const take = (): CpuSplit => ({
    portal: processCpuMs(portalPid),
    postgres: commandCpuMs('postgres'),
    bench: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  });
  const start = take();
  return () => {
    const now = take();
    return {
      portal: now.portal - start.portal,
      postgres: now.postgres - start.postgres,
      bench: now.bench - start.bench,
    };
  };
}
