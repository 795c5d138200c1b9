// Starts the embedded media server (engine/) as a child process on a free loopback port,
// when no KMS_URL is configured. The only thing server/ takes from engine/ is this process
// boundary. The launcher owns the child: it restarts it if it dies, and stops it on close.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../logging';

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
/** Restarts back off from 1 s to 30 s while the engine keeps failing, and reset once it is up. */
const RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** pino's numeric levels, by the method that logs at each. */
const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** dist/engine/main.js, whether we run from dist/ or from sources under a test runner. */
export function engineEntry(): string {
  const candidates = [resolve(__dirname, '../../engine/main.js'), resolve(__dirname, '../../dist/engine/main.js')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`The embedded media server is not built (looked for ${candidates.join(', ')}); run npm run build`);
  return found;
}

export interface EngineOptions {
  /** Extra environment for the engine: ENGINE_MIN_PORT, ENGINE_ADDRESSES, ... */
  env?: Record<string, string | undefined>;
  logLevel?: string;
  /** How long a start may take before the child is killed (tests shorten it). */
  readyTimeoutMs?: number;
  /** Node's own flags for the child, e.g. --cpu-prof (which NODE_OPTIONS may not carry). */
  nodeArgs?: string[];
}

export class EngineProcess {
  private child: ChildProcess | undefined;
  private port = 0;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelay = RESTART_DELAY_MS;
  private readonly log: Logger;
  /** The engine's own lines, re-logged for a terminal. */
  private readonly engineLog: Logger;
  private readonly options: EngineOptions;

  private constructor(log: Logger, options: EngineOptions) {
    this.log = log.child({ component: 'engine-launcher' });
    this.engineLog = log.child({ service: 'engine' });
    this.options = options;
  }

  static async start(log: Logger, options: EngineOptions = {}): Promise<EngineProcess> {
    const engine = new EngineProcess(log, options);
    await engine.spawn(true);
    return engine;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/kurento`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the child. A first start that fails is the caller's error; a restart keeps trying. */
  private spawn(first: boolean): Promise<void> {
    const args = [...(this.options.nodeArgs ?? []), engineEntry(), '--host', '127.0.0.1', '--port', String(this.port)];
    const child = spawn(process.execPath, args, {
      // NOTE: the app's engine stays inside the media directory, whatever the environment says.
      env: {
        ...engineEnvironment(process.env),
        ...this.options.env,
        LOG_LEVEL: this.options.logLevel ?? 'info',
        ENGINE_WATCH_STDIN: '1',
        ENGINE_ALLOW_ANY_PATH: 'false',
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.child = child;
    return new Promise<void>((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        // A first start that never got ready fails the app's start. A restart that hangs is
        // killed, and supervision tries again after a longer pause.
        if (first) this.stopping = true;
        child.kill('SIGKILL');
        reject(new Error('The embedded media server did not start in time'));
      }, this.options.readyTimeoutMs ?? READY_TIMEOUT_MS);
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        const record = parseLine(line);
        if (record?.engineReady === true && typeof record.port === 'number') {
          this.port = record.port;
          this.restartDelay = RESTART_DELAY_MS;
          clearTimeout(timer);
          this.log.info({ port: this.port, pid: child.pid }, 'embedded media server started');
          resolvePromise();
          return;
        }
        this.relay(line, record);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`The embedded media server exited (code ${code}, signal ${signal})`));
        if (this.child === child) this.child = undefined;
        if (!this.stopping) {
          const delay = this.restartDelay;
          this.restartDelay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
          this.log.error({ code, signal, restartInMs: delay }, 'embedded media server died; restarting it');
          this.restartTimer = setTimeout(() => {
            // A failed restart ends in another 'exit', which schedules the next attempt.
            Promise.resolve()
              .then(() => this.spawn(false))
              .catch((err: unknown) => this.log.warn({ err }, 'embedded media server failed to restart'));
          }, delay);
        }
      });
    });
  }

  /**
   * One of the engine's log lines, to our output: as it is (JSON) for a machine, and through
   * our logger for a person at a terminal, so both processes read alike (pino-pretty).
   */
  private relay(line: string, record: Record<string, unknown> | undefined): void {
    const level = typeof record?.level === 'number' ? LEVELS[record.level] : undefined;
    if (!process.stdout.isTTY || !record || !level) {
      process.stdout.write(`${line}\n`);
      return;
    }
    // Our logger stamps its own time, level and process; the rest is the engine's to say.
    const fields = { ...record };
    for (const key of ['level', 'time', 'pid', 'hostname', 'msg']) delete fields[key];
    this.engineLog[level](fields, typeof record.msg === 'string' ? record.msg : '');
  }

  /** Kills the engine without stopping supervision: for tests of a media server that dies. */
  crash(): void {
    this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    this.log.info('embedded media server stopped');
  }
}

/** What the engine may see of our environment: the system's basics and its own settings. */
const PASSED_THROUGH = new Set(['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'PYTHONPATH']);

/**
 * The engine child's environment. It gets only what it needs, so the app's secrets
 * (`API_TOKEN`, `MONGODB_URL`, TURN secrets) are not in a process that runs GStreamer
 * helpers and fetches URLs for clients.
 */
export function engineEnvironment(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => PASSED_THROUGH.has(key) || key.startsWith('ENGINE_') || key.startsWith('GST_')),
  );
}

function parseLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
