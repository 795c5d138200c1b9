// A client that vanishes without closing its connection (its packets dropped, no FIN) is
// noticed by the signaling pings and released: its pipeline, its registered name. And a
// server with such a client still shuts down within Docker's 10 s grace period.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PING_INTERVAL_MS } from '../../server/signaling/connection';
import { eventually, pipelinesOnMediaServer, startApp, type RunningApp } from '../helpers/app';
import { decodedFrames, demoPeer, launchChromium } from '../helpers/browser';
import { silenceTcpPort } from '../helpers/packet-filter';
import { startServer } from '../helpers/server-process';
import { TestSocket } from '../helpers/ws';

jest.setTimeout(90_000);

async function helloWorldCall(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/helloworld.html`);
  await page.click('#start');
  await eventually(
    async () => (await decodedFrames(page, demoPeer, 'hello-world-demo')).remote ?? 0,
    (n) => n > 0,
    20_000,
    'the call to show video',
  );
}

async function registerName(wsUrl: string, name: string): Promise<{ socket: TestSocket; response: string }> {
  const socket = await TestSocket.open(`${wsUrl}/one2one`);
  socket.send({ id: 'register', name });
  const reply = await socket.next<{ id: string; response: string; message?: string }>();
  return { socket, response: `${reply.response}${reply.message ? `: ${reply.message}` : ''}` };
}

describe('clients that vanish', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  test("a half-open client's call and registered name are released within three ping intervals", async () => {
    let running: RunningApp | undefined;
    let restore: (() => void) | undefined;
    const sockets: TestSocket[] = [];
    try {
      running = await startApp();
      const app = running.app;
      await helloWorldCall(await browser.newPage(), running.url);
      const ghost = await registerName(running.wsUrl, 'ghost');
      sockets.push(ghost.socket);
      expect(ghost.response).toBe('accepted');
      expect(await pipelinesOnMediaServer(app)).toHaveLength(1);
      expect(app.sessions.size).toBeGreaterThanOrEqual(1);

      // The network goes silent: the browser and the registered client can no longer reach
      // the app, and nothing tells the app so.
      restore = silenceTcpPort(Number(new URL(running.url).port));
      const silentAt = Date.now();
      await eventually(
        () => pipelinesOnMediaServer(app),
        (p) => p.length === 0,
        4 * PING_INTERVAL_MS,
        'the call released',
      );
      await eventually(
        () => app.sessions.size,
        (n) => n === 0,
        4 * PING_INTERVAL_MS,
        'every demo session ended',
      );
      await eventually(
        () => app.websocketServer.clients.size,
        (n) => n === 0,
        4 * PING_INTERVAL_MS,
        'every signaling socket ended by the server',
      );
      const releasedAfter = Date.now() - silentAt;
      expect(releasedAfter).toBeGreaterThanOrEqual(PING_INTERVAL_MS); // by the pings, not by chance
      restore();

      // The name is free again.
      const again = await registerName(running.wsUrl, 'ghost');
      sockets.push(again.socket);
      expect(again.response).toBe('accepted');
    } finally {
      restore?.();
      for (const s of sockets) s.ws.terminate();
      await running?.close();
    }
  });

  test('SIGTERM with a vanished client still ends the server within 10 s, with exit code 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stage-liveness-'));
    const server = await startServer({ DATA_DIR: dataDir, MEDIA_DIR: join(dataDir, 'media') });
    let restore: (() => void) | undefined;
    try {
      await helloWorldCall(await browser.newPage(), server.url);
      restore = silenceTcpPort(Number(new URL(server.url).port));
      const started = Date.now();
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      restore?.();
      server.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
