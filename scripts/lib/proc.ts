// What Linux's /proc tells about a process: CPU time, resident memory and open handles.
// Benchmarks and long tests read the media server's figures from outside, like an operator.

import { readdirSync, readFileSync } from 'node:fs';

export const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** User + system CPU time, in clock ticks. */
export function cpuTicks(pid: number | 'self'): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** User + system CPU time of each thread of a process (thread id → clock ticks). */
export function threadTicks(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(Number(tid), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

export interface Usage {
  rssMiB: number;
  fds: number;
}

export function usage(pid: number | 'self'): Usage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssMiB: rssKiB / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** Measures a process's CPU use, as a percentage of one core, over `seconds`. */
export async function cpuPercent(pid: number, seconds: number): Promise<number> {
  const before = cpuTicks(pid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return ((cpuTicks(pid) - before) / TICKS_PER_SECOND / seconds) * 100;
}
