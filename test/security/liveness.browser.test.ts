// A client that vanishes without closing its connection (its packets dropped, no FIN) is
// noticed by the signaling pings and released: its pipeline, its registered name. A call whose
// media stops while its signaling stays up ends once ICE gives up and a grace passes. And a
// server with a vanished client still shuts down within Docker's 10 s grace period.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { HeadlessPeer, type Candidate } from '../../scripts/lib/headless-peer';
import { PEER_LOST_GRACE_MS } from '../../server/kurento/client';
import { PING_INTERVAL_MS } from '../../server/signaling/connection';
import { eventually, pipelinesOnMediaServer, startApp, type RunningApp } from '../helpers/app';
import { helloWorldCall, launchChromium } from '../helpers/browser';
import { silenceTcpPort } from '../helpers/packet-filter';
import { startServer } from '../helpers/server-process';
import { TestSocket } from '../helpers/ws';

jest.setTimeout(150_000);

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

  test('a call whose media is cut while its signaling stays up ends after ICE gives up and the grace, and says so', async () => {
    let running: RunningApp | undefined;
    let restore: (() => void) | undefined;
    // A peer that never ends the call itself (a frozen tab would not either): headless werift.
    const peer = HeadlessPeer.publisher();
    const socket: { current?: TestSocket } = {};
    try {
      running = await startApp();
      const app = running.app;
      const signaling = await TestSocket.open(`${running.wsUrl}/helloworld`);
      socket.current = signaling;
      const offer = await peer.createOffer();
      signaling.send({ id: 'start', sdpOffer: offer });
      peer.onCandidate((candidate) => signaling.send({ id: 'onIceCandidate', candidate }));
      const messages: { id: string; sdpAnswer?: string; candidate?: Candidate; message?: string }[] = [];
      let stopped = false;
      const pump = (async () => {
        while (!stopped) {
          const m = await signaling.next<(typeof messages)[number]>(500).catch(() => undefined);
          if (!m) continue;
          messages.push(m);
          if (m.id === 'startResponse') await peer.setAnswer(m.sdpAnswer!);
          if (m.id === 'iceCandidate') await peer.addCandidate(m.candidate!);
        }
      })();
      await eventually(
        () => peer.pc.connectionState,
        (st) => st === 'connected',
        20_000,
        'the peer connected',
      );
      expect(await pipelinesOnMediaServer(app)).toHaveLength(1);

      // Only UDP (the media) stops; the signaling socket goes on answering its pings.
      execFileSync('iptables', ['-I', 'INPUT', '-p', 'udp', '-j', 'DROP']);
      restore = () => execFileSync('iptables', ['-D', 'INPUT', '-p', 'udp', '-j', 'DROP']);
      const cutAt = Date.now();
      await eventually(
        () => pipelinesOnMediaServer(app),
        (p) => p.length === 0,
        90_000,
        'the call released',
      );
      expect(Date.now() - cutAt).toBeGreaterThanOrEqual(PEER_LOST_GRACE_MS);
      await eventually(
        () => messages.map((m) => m.message ?? ''),
        (all) => all.some((t) => /media connection was lost/.test(t)),
        5000,
        'the user told',
      );
      expect(app.websocketServer.clients.size).toBe(1); // the signaling socket itself is still up
      stopped = true;
      await pump;
    } finally {
      restore?.();
      socket.current?.close();
      await peer.close();
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
