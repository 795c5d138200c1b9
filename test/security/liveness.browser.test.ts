// A client that vanishes without closing its connection (its packets dropped, no FIN) is
// noticed by the signaling pings and released: its pipelines, its registered name, its
// broadcast room and group-call seat, and its recording (finished and kept). A call whose
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
import { probe } from '../helpers/ffprobe';
import { TestSocket } from '../helpers/ws';

jest.setTimeout(150_000);

async function registerName(wsUrl: string, name: string): Promise<{ socket: TestSocket; response: string }> {
  const socket = await TestSocket.open(`${wsUrl}/one2one`);
  socket.send({ id: 'register', name });
  const reply = await socket.next<{ id: string; response: string; message?: string }>();
  return { socket, response: `${reply.response}${reply.message ? `: ${reply.message}` : ''}` };
}

type Message = { id: string; [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The next message with this id (others, such as candidates, are skipped). */
async function nextWithId(socket: TestSocket, id: string): Promise<Message> {
  for (;;) {
    const m = await socket.next<Message>(15_000);
    if (m.id === id) return m;
  }
}

async function listRecordings(
  url: string,
): Promise<{ items: { demo: string; file: string; durationMs: number; missing: boolean }[] }> {
  return (await fetch(`${url}/api/recordings`)).json();
}

interface Publisher {
  messages: Message[];
  close(): Promise<void>;
}

/**
 * A headless peer publishing on a demo socket, in that demo's words; resolves once its
 * media flows. Its socket answers offers and candidates until closed.
 */
async function publishOn(
  wsUrl: string,
  demo: string,
  words: {
    before?: object[];
    start(sdpOffer: string): object;
    answerOf(m: Message): string | undefined;
    candidate(c: Candidate): object;
  },
): Promise<Publisher> {
  const socket = await TestSocket.open(`${wsUrl}/${demo}`);
  const peer = HeadlessPeer.publisher();
  const messages: Message[] = [];
  let open = true;
  for (const m of words.before ?? []) socket.send(m);
  peer.onCandidate((c) => socket.send(words.candidate(c)));
  socket.send(words.start(await peer.createOffer()));
  const pump = (async () => {
    while (open) {
      const m = await socket.next<Message>(500).catch(() => undefined);
      if (!m) continue;
      messages.push(m);
      const answer = words.answerOf(m);
      if (answer) await peer.setAnswer(answer);
      if (m.id === 'iceCandidate') await peer.addCandidate(m.candidate as Candidate);
    }
  })();
  const close = async (): Promise<void> => {
    open = false;
    await pump;
    socket.ws.terminate();
    await peer.close();
  };
  try {
    await eventually(
      () => peer.pc.connectionState,
      (st) => st === 'connected',
      20_000,
      `the ${demo} publisher connected`,
    );
  } catch (err) {
    await close();
    throw err;
  }
  peer.startSending(300_000, 15);
  return { messages, close };
}

describe('clients that vanish', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  test("a half-open client's call, name, broadcast, group-call seat and recording are released within three ping intervals", async () => {
    let running: RunningApp | undefined;
    let restore: (() => void) | undefined;
    const sockets: TestSocket[] = [];
    const publishers: Publisher[] = [];
    try {
      running = await startApp();
      const { app, wsUrl } = running;
      // The ghost holds one of everything: a hello-world call in a real browser, a one2one
      // name, a one2many broadcast, a group-call seat and a recording being written.
      await helloWorldCall(await browser.newPage(), running.url);
      const ghost = await registerName(wsUrl, 'ghost');
      sockets.push(ghost.socket);
      expect(ghost.response).toBe('accepted');
      const broadcast = await publishOn(wsUrl, 'one2many', {
        start: (sdpOffer) => ({ id: 'presenter', sdpOffer, room: 'ghost-room' }),
        answerOf: (m) => (m.id === 'presenterResponse' ? m.sdpAnswer : undefined),
        candidate: (candidate) => ({ id: 'onIceCandidate', candidate }),
      });
      const seat = await publishOn(wsUrl, 'groupcall', {
        before: [{ id: 'joinRoom', name: 'ghost', room: 'ghost-room' }],
        start: (sdpOffer) => ({ id: 'receiveVideoFrom', sender: 'ghost', sdpOffer }),
        answerOf: (m) => (m.id === 'receiveVideoAnswer' && m.name === 'ghost' ? m.sdpAnswer : undefined),
        candidate: (candidate) => ({ id: 'onIceCandidate', name: 'ghost', candidate }),
      });
      const recording = await publishOn(wsUrl, 'recording', {
        start: (sdpOffer) => ({ id: 'start', sdpOffer }),
        answerOf: (m) => (m.id === 'startResponse' ? m.sdpAnswer : undefined),
        candidate: (candidate) => ({ id: 'onIceCandidate', candidate }),
      });
      publishers.push(broadcast, seat, recording);
      await eventually(
        () => recording.messages.map((m) => m.id),
        (ids) => ids.includes('recording'),
        20_000,
        'the recorder writing',
      );
      expect(await pipelinesOnMediaServer(app)).toHaveLength(4);
      expect((await listRecordings(running.url)).items).toEqual([]);

      // The network goes silent: the browser and the ghost's sockets can no longer reach the
      // app, and nothing tells the app so. Their media goes on flowing.
      restore = silenceTcpPort(Number(new URL(running.url).port));
      const silentAt = Date.now();
      await eventually(
        () => pipelinesOnMediaServer(app),
        (p) => p.length === 0,
        4 * PING_INTERVAL_MS,
        'every pipeline released',
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

      // The name, the room and the seat are free again, and the recording was finished and kept.
      const again = await registerName(wsUrl, 'ghost');
      sockets.push(again.socket);
      expect(again.response).toBe('accepted');
      const presenter = await TestSocket.open(`${wsUrl}/one2many`);
      sockets.push(presenter);
      const next = HeadlessPeer.publisher();
      try {
        presenter.send({ id: 'presenter', sdpOffer: await next.createOffer(), room: 'ghost-room' });
        expect(await nextWithId(presenter, 'presenterResponse')).toMatchObject({ response: 'accepted' });
      } finally {
        await next.close();
      }
      const member = await TestSocket.open(`${wsUrl}/groupcall`);
      sockets.push(member);
      member.send({ id: 'joinRoom', name: 'ghost', room: 'ghost-room' });
      expect(await nextWithId(member, 'existingParticipants')).toEqual({ id: 'existingParticipants', data: [] });
      // Finishing it (stopAndWait, then ffprobe and a thumbnail) may outlast the socket.
      const { items } = await eventually(
        () => listRecordings(running!.url),
        (list) => list.items.length > 0,
        15_000,
        'the recording stored',
      );
      const [kept] = items;
      expect(kept).toMatchObject({ demo: 'recording', missing: false });
      expect(kept!.durationMs).toBeGreaterThan(1000);
      const file = await probe(join(app.config.MEDIA_DIR, kept!.file));
      expect(file.durationSeconds).toBeGreaterThan(1);
    } finally {
      restore?.();
      for (const s of sockets) s.ws.terminate();
      for (const p of publishers) await p.close();
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
