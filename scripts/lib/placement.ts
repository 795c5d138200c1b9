// Where a benchmark's processes run, and what each of them costs. The media server gets its
// own cores and the load generator (this process, its workers, its Chromium) the others, so
// that the server's figure is its own work and a step is never limited by the generator
// without saying so. Pinning uses taskset, on every thread of each process (-a): the engine's
// libuv and worker threads, KMS's GStreamer threads.

import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { cpuTicks, TICKS_PER_SECOND } from './proc';

/** A generator above this share of its cores is the bottleneck, not the media server. */
const SATURATED = 0.9;

export interface Placement {
  /** The media server's pid when it is on this machine (the engine, or KMS_PID). */
  serverPid: number | undefined;
  /** Every process measured as the server: the given ones, and KMS_PID with KMS_URL. */
  serverPids: number[];
  serverCores: string;
  generatorCores: string;
  generatorCoreCount: number;
  /** How the run was placed, for the report's header. */
  summary: string;
}

/** Cores as taskset writes them ("0", "1-3"), from the first and last. */
const range = (first: number, last: number): string => (first === last ? `${first}` : `${first}-${last}`);

const hasTaskset = (): boolean => spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

/** Pins `pid` and every process it has started (the app server's engine) to `cores`. */
function pin(pid: number, cores: string): void {
  for (const p of [pid, ...descendants(pid)]) execFileSync('taskset', ['-a', '-p', '-c', cores, String(p)], { stdio: 'ignore' });
}

/**
 * Pins the server side to BENCH_SERVER_CORES (default: core 0) and this process to the
 * rest, before the generator starts its workers or browsers, which then inherit it. The
 * server side is `server`: the engine, or the application server with the engine it
 * started. A KMS on this machine is measured and pinned with it when KMS_PID names it (with
 * KMS_URL set, or when no engine is given); a remote one is neither.
 */
export function placeBenchmark(server: number | number[] | undefined, serverName = 'media server'): Placement {
  const cores = availableParallelism();
  const given = server === undefined ? [] : [server].flat();
  const kmsPid = process.env.KMS_PID ? Number(process.env.KMS_PID) : undefined;
  const serverPids = [...given, ...(kmsPid !== undefined && (process.env.KMS_URL || given.length === 0) ? [kmsPid] : [])];
  const serverPid = serverPids[0];
  const serverCores = process.env.BENCH_SERVER_CORES ?? '0';
  const generatorCores = process.env.BENCH_GENERATOR_CORES ?? range(1, cores - 1);
  if (cores < 2 || !hasTaskset()) {
    const why = cores < 2 ? 'one core only' : 'no taskset (util-linux)';
    return {
      serverPid,
      serverPids,
      serverCores: 'any',
      generatorCores: 'any',
      generatorCoreCount: cores,
      summary: `NOT pinned (${why}): the ${serverName} and the load generator share ${cores} core(s)`,
    };
  }
  for (const pid of serverPids) pin(pid, serverCores);
  // NOTE: this process alone: the server it started was pinned just above.
  execFileSync('taskset', ['-a', '-p', '-c', generatorCores, String(process.pid)], { stdio: 'ignore' });
  const generatorCoreCount = coreCount(generatorCores);
  return {
    serverPid,
    serverPids,
    serverCores,
    generatorCores,
    generatorCoreCount,
    summary:
      serverPid === undefined
        ? `load generator pinned to core(s) ${generatorCores}; the ${serverName} is remote (not measured here)`
        : `${serverName} (pid ${serverPids.join(', ')}) pinned to core(s) ${serverCores}, load generator to core(s) ${generatorCores}`,
  };
}

/** How many cores a taskset list ("0", "0-1", "0,2-3") names. */
export function coreCount(list: string): number {
  return list.split(',').reduce((n, part) => {
    const [a, b] = part.split('-').map(Number);
    return n + (b === undefined ? 1 : b - a! + 1);
  }, 0);
}

/** Every live process below `root` (children, grandchildren…), from /proc. */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, parent] of parentOf) {
      if (parent === pid) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

/** The server side: its processes and everything they started. */
const serverSide = (placement: Placement): number[] => placement.serverPids.flatMap((p) => [p, ...descendants(p)]);

/** The generator: this process and everything it started, except the server side. */
function generatorPids(placement: Placement): number[] {
  const server = new Set(serverSide(placement));
  return [process.pid, ...descendants(process.pid)].filter((p) => !server.has(p));
}

const ticksOf = (pids: number[]): Map<number, number> =>
  new Map(
    pids.flatMap((p) => {
      try {
        return [[p, cpuTicks(p)] as [number, number]];
      } catch {
        return [];
      }
    }),
  );

export interface CpuReading {
  /** The media server and its helpers, % of one core; NaN when it is not on this machine. */
  server: number;
  /** The load generator, % of one core. */
  generator: number;
  /** The generator used at least 90 % of its cores: the step measured it, not the server. */
  generatorSaturated: boolean;
}

/** Starts a CPU window over the server and the generator; `stop()` reads it. */
export function cpuWindow(placement: Placement): { stop(): CpuReading } {
  const started = Date.now();
  const server = ticksOf(serverSide(placement));
  const generator = ticksOf(generatorPids(placement));
  const spent = (before: Map<number, number>): number => {
    let ticks = 0;
    // Processes that ended meanwhile are left out; a benchmark starts none during a window.
    for (const [pid, t] of ticksOf([...before.keys()])) ticks += t - before.get(pid)!;
    return ticks;
  };
  return {
    stop(): CpuReading {
      const seconds = (Date.now() - started) / 1000;
      const percent = (ticks: number): number => (ticks / TICKS_PER_SECOND / seconds) * 100;
      const generatorPct = percent(spent(generator));
      return {
        server: placement.serverPid === undefined ? NaN : percent(spent(server)),
        generator: generatorPct,
        generatorSaturated: generatorPct >= SATURATED * 100 * placement.generatorCoreCount,
      };
    },
  };
}
