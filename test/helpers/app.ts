// Builds and starts the real application on a free port, with the embedded engine unless
// the test names media servers. Tests close what they start.

import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';

export interface RunningApp {
  app: FastifyInstance;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the app; its embedded store and media repository live in a fresh temporary
 * directory unless `env` names DATA_DIR (and MEDIA_DIR).
 */
export async function startApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const tempDir = env.DATA_DIR ? undefined : mkdtempSync(join(tmpdir(), 'stage-data-'));
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    DATA_DIR: tempDir ?? '',
    MEDIA_DIR: tempDir ? join(tempDir, 'media') : './media',
    ...env,
  });
  const app = await buildApp(config);
  // Loopback, unless the test names another address (a second host reaches the app there).
  await app.listen({ host: env.HOST ?? '127.0.0.1', port: 0 });
  // With the embedded engine, tests start once kurento-client is connected to it, as a user
  // would wait for the index page's "media server ready"; on a loaded machine that takes a while.
  if (!env.KMS_URL) {
    const deadline = Date.now() + 15_000;
    while (!app.media.ready && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    url: `${app.config.HTTPS ? 'https' : 'http'}://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

/** Pipelines on the app's (first) media server, as the media server itself reports them. */
export function pipelinesOnMediaServer(app: FastifyInstance): Promise<string[]> {
  const server = app.media.members[0];
  if (!server) throw new Error('no media server');
  return server.pipelineIds();
}

/** Waits until the app's media server holds no pipeline at all (fails, naming them, if it does). */
export async function noPipelinesLeft(app: FastifyInstance, timeoutMs = 10_000): Promise<void> {
  await eventually(
    () => pipelinesOnMediaServer(app),
    (p) => p.length === 0,
    timeoutMs,
    'no pipeline left on the media server',
  );
}

/**
 * Polls `fn` until `check` holds and returns that value. On timeout it throws, naming what it
 * waited for and the last value it saw: a wait that runs out is a failed test, never a quiet
 * pass. An error thrown by `fn` fails at once.
 */
export async function eventually<T>(
  fn: () => Promise<T> | T,
  check: (v: T) => boolean,
  timeoutMs = 10_000,
  what = check.toString(),
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (check(value)) return value;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${summarise(value)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A short, readable form of a value for a failure message (frames and buffers summarised). */
export function summarise(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && 'data' in v ? '<bytes>' : v,
  );
  if (text === undefined) return String(value);
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

/** A loopback port that nothing listens on (bound, read back, released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
