// The engine's control port refuses what a hostile client tries, as the security review found
// it: pages on foreign origins, releasing the ServerManager, taking over another client's open
// session, huge session ids, duplicate subscriptions, and property names that reach
// Object.prototype. Each test failed on the code the review ran.

import pino from 'pino';
import { loadEngineConfig } from '../../engine/config';
import { startEngine, type Engine } from '../../engine/engine';
import { TestSocket, upgradeStatus } from '../helpers/ws';

type Reply = {
  id?: number;
  result?: { value?: unknown; sessionId?: string };
  error?: { code: number; message: string };
};

let nextId = 1;
async function request(socket: TestSocket, method: string, params: Record<string, unknown> = {}): Promise<Reply> {
  const id = nextId++;
  socket.send({ jsonrpc: '2.0', id, method, params });
  for (;;) {
    const reply = await socket.next<Reply>();
    if (reply.id === id) return reply;
  }
}

describe("the engine's control port", () => {
  let engine: Engine;
  let url: string;
  const sockets: TestSocket[] = [];
  const open = async (headers?: Record<string, string>): Promise<TestSocket> => {
    const socket = await TestSocket.open(url, headers);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    const config = loadEngineConfig(['--port', '0', '--allowed-origins', 'https://app.example.com']);
    engine = await startEngine(config, pino({ level: 'silent' }));
    url = `ws://127.0.0.1:${engine.port}/kurento`;
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await engine?.close();
  });

  test('a page on a foreign origin cannot open a socket; loopback pages, allowed origins and Node clients can', async () => {
    expect(await upgradeStatus(url, { Origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(url, { Origin: 'null' })).toBe(403);
    expect(await upgradeStatus(url, { Origin: 'http://127.0.0.1.evil.example:8080' })).toBe(403);
    expect(await upgradeStatus(url, { Origin: 'http://localhost:8443' })).toBe(0);
    expect(await upgradeStatus(url, { Origin: 'http://127.0.0.1:3000' })).toBe(0);
    expect(await upgradeStatus(url, { Origin: 'https://app.example.com' })).toBe(0);
    expect(await upgradeStatus(url, {})).toBe(0);
  });

  test('the ServerManager outlives a request to release it', async () => {
    const socket = await open();
    const released = await request(socket, 'release', { object: 'manager_ServerManager' });
    expect(released.error).toBeUndefined();
    const info = await request(socket, 'invoke', { object: 'manager_ServerManager', operation: 'getInfo' });
    expect(info.error).toBeUndefined();
    expect(info.result?.value).toEqual(expect.objectContaining({ version: expect.any(String) }));
  });

  test("another connection cannot take over a session whose connection is open; once it closed, its owner's resume works", async () => {
    const owner = await open();
    const created = await request(owner, 'create', { type: 'MediaPipeline', constructorParams: {} });
    const sessionId = created.result!.sessionId!;
    const pipeline = created.result!.value as string;

    const thief = await open();
    const taken = await request(thief, 'connect', { sessionId });
    expect(taken.error?.code).toBe(40007);
    expect(taken.error?.message).toMatch(/in use by another connection/);
    const viaCreate = await request(thief, 'create', { type: 'MediaPipeline', constructorParams: {}, sessionId });
    expect(viaCreate.error?.code).toBe(40007);
    const viaSubscribe = await request(thief, 'subscribe', { object: pipeline, type: 'Error', sessionId });
    expect(viaSubscribe.error?.code).toBe(40007);

    owner.close();
    await owner.closed;
    const back = await open();
    const resumed = await request(back, 'connect', { sessionId });
    expect(resumed.error).toBeUndefined();
    expect(resumed.result?.sessionId).toBe(sessionId);
    expect((await request(back, 'describe', { object: pipeline })).result).toEqual(
      expect.objectContaining({ type: 'MediaPipeline' }),
    );
    await request(back, 'release', { object: pipeline });
  });

  test('session ids are bounded: a 3.5 MB one is refused and creates nothing', async () => {
    const socket = await open();
    const huge = 'x'.repeat(3_500_000);
    const before = (await request(socket, 'invoke', { object: 'manager_ServerManager', operation: 'getSessions' })).result
      ?.value as string[];
    for (const method of ['ping', 'create', 'connect']) {
      const reply = await request(socket, method, { sessionId: huge, type: 'MediaPipeline', constructorParams: {} });
      expect(reply.error?.code).toBe(40007);
      expect(reply.error?.message).toMatch(/at most 128 characters/);
    }
    const after = (await request(socket, 'invoke', { object: 'manager_ServerManager', operation: 'getSessions' })).result
      ?.value as string[];
    expect(after.length).toBeLessThanOrEqual(before.length + 1); // at most this socket's own session
    expect(after.some((id) => id.length > 128)).toBe(false);
  });

  test('subscribing again to the same event returns the same subscription', async () => {
    const socket = await open();
    const pipeline = (await request(socket, 'create', { type: 'MediaPipeline', constructorParams: {} })).result!.value as string;
    const ids = new Set<unknown>();
    for (let i = 0; i < 50; i++) ids.add((await request(socket, 'subscribe', { object: pipeline, type: 'Error' })).result?.value);
    expect(ids.size).toBe(1);
    const other = (await request(socket, 'subscribe', { object: pipeline, type: 'ObjectCreated' })).result?.value;
    expect(ids.has(other)).toBe(false);
    await request(socket, 'release', { object: pipeline });
  });

  test('GStreamerFilter properties are looked up as own properties only', async () => {
    const socket = await open();
    const pipeline = (await request(socket, 'create', { type: 'MediaPipeline', constructorParams: {} })).result!.value as string;
    for (const command of [
      'videobalance constructor=1',
      'videobalance __proto__=1',
      'toString',
      'videobalance hasOwnProperty=x',
    ]) {
      const reply = await request(socket, 'create', {
        type: 'GStreamerFilter',
        constructorParams: { mediaPipeline: pipeline, command },
      });
      expect(reply.error?.message).toMatch(
        /has no property|is not an allowed GStreamerFilter element|is not a property=value setting/,
      );
      expect(reply.error?.message).not.toMatch(/is not a function|TypeError/);
    }
    const children = await request(socket, 'invoke', { object: pipeline, operation: 'getChildren' });
    expect(children.result?.value).toEqual([]);
    await request(socket, 'release', { object: pipeline });
  });
});
