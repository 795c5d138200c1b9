// Every limit is reached here, and each one says so in words that name it; nothing is left
// half-built behind a refusal. Sockets per address, messages waiting on a socket, work queued
// behind a socket that closed, the engine's UDP port range and its GStreamer processes.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { RTCPeerConnection } from 'werift';
import { loadEngineConfig } from '../../engine/config';
import { startEngine, type Engine } from '../../engine/engine';
import { eventually, freePort, startApp, type RunningApp } from '../helpers/app';
import { call, connect, disconnect } from '../helpers/kurento';
import { engineSession, makeClip, type EngineSession } from '../helpers/engine-session';
import { TestSocket, upgradeRefusal, upgradeStatus } from '../helpers/ws';

jest.setTimeout(90_000);

type Reply = { id: string; message?: string; reason?: string };

/** A WebRTC offer from a headless peer, as a browser would send it. */
async function offer(): Promise<{ sdp: string; close: () => Promise<void> }> {
  const pc = new RTCPeerConnection({ iceServers: [] });
  pc.addTransceiver('video', { direction: 'sendrecv' });
  await pc.setLocalDescription(await pc.createOffer());
  return { sdp: pc.localDescription!.sdp, close: () => pc.close() };
}

/** The replies a socket gets until `done` holds for them. */
async function repliesUntil(socket: TestSocket, done: (all: Reply[]) => boolean): Promise<Reply[]> {
  const all: Reply[] = [];
  while (!done(all)) all.push(await socket.next<Reply>(20_000));
  return all;
}

/**
 * A TCP relay to the media server whose answers can be held back: while held, a handler
 * that called the media server stays in progress, so what queues behind it is deterministic.
 */
async function holdingRelay(target: number): Promise<{ port: number; hold(on: boolean): void; close(): Promise<void> }> {
  const answers: Socket[] = [];
  let holding = false;
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(target, '127.0.0.1');
    client.pipe(upstream);
    upstream.pipe(client);
    if (holding) upstream.pause();
    answers.push(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    hold(on) {
      holding = on;
      for (const upstream of answers) {
        if (on) upstream.pause();
        else upstream.resume();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const upstream of answers) upstream.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('limits of the app', () => {
  let engine: Engine;
  let observer: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- kurento-client is untyped
  let running: RunningApp;
  let relay: Awaited<ReturnType<typeof holdingRelay>>;
  const pipelinesCreated: string[] = [];

  beforeAll(async () => {
    engine = await startEngine(loadEngineConfig(['--port', '0']), pino({ level: 'silent' }));
    observer = await connect(`ws://127.0.0.1:${engine.port}/kurento`);
    const manager = await call<any>(observer, 'getServerManager'); // eslint-disable-line @typescript-eslint/no-explicit-any
    manager.on('ObjectCreated', (e: { object: { id?: string } | string }) => {
      const id = typeof e.object === 'string' ? e.object : (e.object.id ?? '');
      if (id.endsWith('MediaPipeline')) pipelinesCreated.push(id);
    });
    relay = await holdingRelay(engine.port);
    running = await startApp({
      KMS_URL: `ws://127.0.0.1:${relay.port}/kurento`,
      MAX_SOCKETS_PER_IP: '3',
      MAX_PENDING_MESSAGES: '3',
    });
  });

  afterAll(async () => {
    await running?.close();
    if (observer) await disconnect(observer);
    await relay?.close();
    await engine?.close();
  });

  test('an address holds at most MAX_SOCKETS_PER_IP demo sockets; a closed one makes room', async () => {
    const sockets = await Promise.all([1, 2, 3].map(() => TestSocket.open(`${running.wsUrl}/one2one`)));
    try {
      expect(await upgradeStatus(`${running.wsUrl}/helloworld`, {})).toBe(429);
      const refused = await upgradeRefusal(`${running.wsUrl}/one2one`, {});
      expect(JSON.parse(refused.body)).toMatchObject({
        error: 'TOO_MANY_SOCKETS',
        message: expect.stringContaining('(MAX_SOCKETS_PER_IP)'),
      });
      sockets[0]!.close();
      await sockets[0]!.closed;
      await eventually(
        () => upgradeStatus(`${running.wsUrl}/helloworld`, {}),
        (s) => s === 0,
        5000,
        'room for a new socket',
      );
    } finally {
      for (const s of sockets) s.close();
      await Promise.all(sockets.map((s) => s.closed));
    }
  });

  test('at most MAX_PENDING_MESSAGES wait on a socket; the others are refused in words and build nothing', async () => {
    const socket = await TestSocket.open(`${running.wsUrl}/helloworld`);
    try {
      const before = pipelinesCreated.length;
      // The media server's answers are held, so the first start stays in progress while the
      // other 19 arrive: 3 may wait behind it, the remaining 16 are refused at once.
      relay.hold(true);
      for (let i = 0; i < 20; i++) socket.send({ id: 'start', sdpOffer: 'v=0' });
      const refused = await repliesUntil(socket, (all) => all.length === 16);
      expect(refused.map((r) => r.reason)).toEqual(Array(16).fill('TOO_MANY_PENDING'));
      expect(refused[0]!.message).toMatch(/3 messages are already waiting on this socket \(MAX_PENDING_MESSAGES\)/);
      relay.hold(false);
      // The 4 that ran failed on their SDP, in words, and released what they built.
      const ran = await repliesUntil(socket, (all) => all.length === 4);
      expect(ran.map((r) => [r.id, r.reason])).toEqual(Array(4).fill(['error', 'BAD_SDP']));
      expect(pipelinesCreated.length - before).toBeLessThanOrEqual(4);
      await eventually(
        () => engine.core.pipelineIds(),
        (p) => p.length === 0,
        10_000,
        'no pipeline left',
      );
    } finally {
      relay.hold(false);
      socket.close();
    }
  });

  test('work queued behind a socket that closed is dropped', async () => {
    const socket = await TestSocket.open(`${running.wsUrl}/helloworld`);
    const before = pipelinesCreated.length;
    for (let i = 0; i < 3; i++) socket.send({ id: 'start', sdpOffer: 'v=0' });
    socket.ws.terminate();
    await eventually(
      () => engine.core.pipelineIds(),
      (p) => p.length === 0,
      10_000,
      'no pipeline left',
    );
    await new Promise((r) => setTimeout(r, 500)); // anything still queued would have started by now
    expect(pipelinesCreated.length - before).toBeLessThanOrEqual(1);
    expect(engine.core.pipelineIds()).toEqual([]);
  });
});

describe('limits of the engine', () => {
  test('a call that finds no free UDP port in the range gets an error naming ENGINE_MIN_PORT..ENGINE_MAX_PORT', async () => {
    const first = await freePort();
    const engine = await startEngine(
      loadEngineConfig(['--port', '0', '--min-port', String(first), '--max-port', String(first + 1)]),
      pino({ level: 'silent' }),
    );
    const running = await startApp({ KMS_URL: `ws://127.0.0.1:${engine.port}/kurento` });
    const sockets: TestSocket[] = [];
    const peers: { close: () => Promise<void> }[] = [];
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i++) {
        const socket = await TestSocket.open(`${running.wsUrl}/helloworld`);
        sockets.push(socket);
        const peer = await offer();
        peers.push(peer);
        socket.send({ id: 'start', sdpOffer: peer.sdp });
        const replies = await repliesUntil(socket, (all) => all.some((r) => r.id === 'error' || r.id === 'iceCandidate'));
        const error = replies.find((r) => r.id === 'error');
        outcomes.push(error ? (error.message ?? '') : 'candidates');
      }
      expect(outcomes.slice(0, 2)).toEqual(['candidates', 'candidates']);
      expect(outcomes[2]).toMatch(
        new RegExp(`no UDP port is free from ${first} to ${first + 1} \\(ENGINE_MIN_PORT\\.\\.ENGINE_MAX_PORT\\)`),
      );
    } finally {
      for (const s of sockets) s.close();
      for (const p of peers) await p.close();
      await running.close();
      await engine.close();
    }
  });

  /** An engine with these arguments, a 5 s clip in its media directory, and a pipeline. */
  async function withClip(args: string[], run: (session: EngineSession, uri: string) => Promise<void>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'stage-limits-'));
    makeClip(join(dir, 'clip.webm'), 5, '160x120');
    const session = await engineSession(['--media-dir', dir, ...args]);
    try {
      await run(session, `file://${join(dir, 'clip.webm')}`);
    } finally {
      await session.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('players and filters beyond ENGINE_MAX_HELPERS are refused in words', () =>
    withClip(['--max-helpers', '1'], async ({ pipeline }, uri) => {
      const [a, b] = await Promise.all([1, 2].map(() => call<any>(pipeline, 'create', 'PlayerEndpoint', { uri }))); // eslint-disable-line @typescript-eslint/no-explicit-any
      await call(a, 'play');
      await expect(call(b, 'play')).rejects.toThrow(
        /1 GStreamer processes \(players and filters\) are running, the most this media server allows \(ENGINE_MAX_HELPERS\)/,
      );
      await call(a, 'stop');
      const played = (): Promise<string> =>
        call(b, 'play').then(
          () => 'played',
          (e: Error) => e.message,
        );
      await eventually(played, (r) => r === 'played', 10_000, 'a place once the first stopped');
    }));

  test('a GStreamer process that reaches ENGINE_HELPER_MEMORY_MB fails in words naming it', () =>
    // 16 MB is too little for GStreamer's threads: the limit is reached at once.
    withClip(['--helper-memory-mb', '16'], async ({ pipeline }, uri) => {
      const player = await call<any>(pipeline, 'create', 'PlayerEndpoint', { uri }); // eslint-disable-line @typescript-eslint/no-explicit-any
      await expect(call(player, 'play')).rejects.toThrow(/reached its memory limit of 16 MB \(ENGINE_HELPER_MEMORY_MB\)/);
    }));
});
