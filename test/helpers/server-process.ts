// The real server process (dist/server/index.js), as an operator runs it, for tests of what
// only the whole process does: its logs, its signals, its exit code.

import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const SERVER = resolve(__dirname, '../../dist/server/index.js');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Every line the server wrote to stdout so far. */
  lines: string[];
  exited: Promise<number | null>;
}

/** Starts the built server on a free port; resolves once it listens. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const m = /"msg":"Kurento Stage is ready: open (https?:\/\/127\.0\.0\.1:\d+)\/"/.exec(line);
      if (m) ok(m[1]!);
    });
    void exited.then((code) => fail(new Error(`the server exited (${code}) before listening`)));
  });
  return { child, url, lines, exited };
}

/** Whether a process of this pid still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
