// Shutdown as an operator meets it: the real server process (dist/server/index.js), a call in
// progress, then SIGTERM. Every session's pipeline is released on the media server, the
// embedded engine child goes with the server, and the process exits with 0.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { eventually } from '../helpers/app';
import { helloWorldCall, launchChromium } from '../helpers/browser';
import { call, connect, disconnect } from '../helpers/kurento';
import { isAlive, startServer, type ServerProcess } from '../helpers/server-process';

jest.setTimeout(60_000);

/** The children of a process, by pid (from /proc, as pgrep -P would list them). */
async function childrenOf(pid: number): Promise<number[]> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

describe('shutdown on SIGTERM', () => {
  let browser: Browser;
  let dataDir: string;

  beforeAll(async () => {
    browser = await launchChromium();
    dataDir = mkdtempSync(join(tmpdir(), 'stage-shutdown-'));
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function callInProgress(url: string): Promise<void> {
    await helloWorldCall(await browser.newPage(), url);
  }

  test('a call in progress: its pipeline is released on the media server, and the exit code is 0', async () => {
    const engine = await EngineProcess.start(pino({ level: 'warn' }), { logLevel: 'warn' });
    const observer = await connect(engine.url);
    let server: ServerProcess | undefined;
    try {
      server = await startServer({ KMS_URL: engine.url, DATA_DIR: dataDir, MEDIA_DIR: join(dataDir, 'media') });
      await callInProgress(server.url);
      const manager = await call<{ id: string }>(observer, 'getServerManager');
      expect(await call<unknown[]>(manager, 'getPipelines')).toHaveLength(1);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(await call<unknown[]>(manager, 'getPipelines')).toHaveLength(0);
    } finally {
      server?.child.kill('SIGKILL'); // a no-op once it exited; no server outlives a failed test
      await disconnect(observer);
      await engine.stop();
    }
  });

  test('with the embedded media server, the engine child ends with the server', async () => {
    const server = await startServer({ DATA_DIR: dataDir, MEDIA_DIR: join(dataDir, 'media') });
    try {
      await callInProgress(server.url);
      const [engine] = await childrenOf(server.child.pid!);
      expect(engine).toBeDefined();
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      await eventually(
        () => isAlive(engine!),
        (a) => !a,
        5000,
        'the engine child to end',
      );
    } finally {
      server.child.kill('SIGKILL'); // a no-op once it exited; no server outlives a failed test
    }
  });
});
