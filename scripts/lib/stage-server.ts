// The built Kurento Stage server as a process of its own, as it runs in production: a
// benchmark that pins it measures it apart from the load generator (this process, its
// Chromium), and pins its embedded engine with it. KMS_URL in the environment points it at
// a real KMS instead, as it would the server.

import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { coreCount } from './placement';

const SERVER = resolve(__dirname, '../../server/index.js');

export interface StageServer {
  child: ChildProcess;
  /** Where it listens, "http://127.0.0.1:PORT". */
  url: string;
  /** Stops it (SIGTERM: it closes its sessions and its engine) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts the built server on a free loopback port; resolves once it listens.
 * BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops.
 */
export async function startStageServer(env: Record<string, string> = {}): Promise<StageServer> {
  const profile = process.env.BENCH_CPU_PROF;
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, SERVER], {
    // LOG_LEVEL info: the "ready" line that names the port is an info line. The engine is
    // pinned after it starts, so it would count every core of the machine: it gets one
    // worker per core it will be pinned to, as benchMediaServer gives it.
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ENGINE_WORKERS: process.env.ENGINE_WORKERS ?? String(coreCount(process.env.BENCH_SERVER_CORES ?? '0')),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // NOTE: read every line, not only until "ready": a full stdout pipe would stall the server.
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((ok, fail) => {
    lines.on('line', (line) => {
      const m = /"msg":"Kurento Stage is ready: open (http:\/\/127\.0\.0\.1:\d+)\/"/.exec(line);
      if (m) ok(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`the server exited (${code}) before listening`)));
  });
  // A benchmark that fails half-way must not leave the server (and its engine) running.
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  return {
    child,
    url,
    async stop() {
      process.off('exit', kill);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
