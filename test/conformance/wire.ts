// The Kurento Protocol on the wire, frame by frame, as KMS 7.3 writes it: what a client that
// does not use kurento-client sees, and what kurento-client itself depends on. Runs against
// the embedded media server (wire.test.ts) and a real KMS where Docker exists.

import { RTCPeerConnection } from 'werift';
import WebSocket from 'ws';
import { TestSocket } from '../helpers/ws';

type Wire = {
  jsonrpc?: string;
  id?: number | string | null;
  method?: string;
  params?: { value?: { type?: string; data?: Record<string, unknown> } };
  result?: Record<string, unknown> & { value?: unknown; sessionId?: string };
  error?: { code: number; message: string; data?: { type: string } };
};

/** A raw client: numbered requests, replies matched by id, events kept apart. */
export class RawClient {
  readonly socket: TestSocket;
  private nextId = 1;
  private readonly replies = new Map<unknown, Wire>();
  readonly events: Wire[] = [];

  private constructor(socket: TestSocket) {
    this.socket = socket;
  }

  static async open(url: string): Promise<RawClient> {
    return new RawClient(await TestSocket.open(url));
  }

  /** Sends without waiting; `reply(id)` collects the answer. */
  send(method: string, params: Record<string, unknown> = {}, binary = false): number {
    const id = this.nextId++;
    const frame = JSON.stringify({ jsonrpc: '2.0', id, method, params });
    this.socket.ws.send(binary ? Buffer.from(frame) : frame, { binary });
    return id;
  }

  async reply(id: unknown): Promise<Wire> {
    for (;;) {
      const known = this.replies.get(id);
      if (known) return known;
      const frame = await this.socket.next<Wire>();
      if (frame.method === 'onEvent') this.events.push(frame);
      else this.replies.set(frame.id, frame);
    }
  }

  request(method: string, params: Record<string, unknown> = {}, binary = false): Promise<Wire> {
    return this.reply(this.send(method, params, binary));
  }

  async event(type: string): Promise<Wire> {
    for (;;) {
      const found = this.events.find((e) => e.params?.value?.type === type);
      if (found) return found;
      const frame = await this.socket.next<Wire>();
      if (frame.method === 'onEvent') this.events.push(frame);
      else this.replies.set(frame.id, frame);
    }
  }

  close(): void {
    this.socket.close();
  }
}

async function nodeOffer(): Promise<{ sdp: string; pc: RTCPeerConnection }> {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'sendrecv' });
  await pc.setLocalDescription(await pc.createOffer());
  return { sdp: pc.localDescription!.sdp, pc };
}

export function wireSuite(url: () => string): void {
  let client: RawClient;
  let pipeline: string | undefined;

  const newPipeline = async (): Promise<string> => {
    pipeline = (await client.request('create', { type: 'MediaPipeline', constructorParams: {} })).result?.value as string;
    return pipeline;
  };

  beforeEach(async () => {
    client = await RawClient.open(url());
  });

  afterEach(async () => {
    if (pipeline) expect((await client.request('release', { object: pipeline })).error).toBeUndefined();
    pipeline = undefined;
    client.close();
  });

  test('a ping that names no session answers pong alone, and opens no session', async () => {
    const manager = 'manager_ServerManager';
    const before = (await client.request('invoke', { object: manager, operation: 'getSessions', operationParams: {} })).result
      ?.value as string[];
    const other = await RawClient.open(url());
    try {
      for (let i = 0; i < 3; i++) {
        expect(await other.request('ping', { interval: 240000 })).toEqual({
          jsonrpc: '2.0',
          id: i + 1,
          result: { value: 'pong' },
        });
      }
    } finally {
      other.close();
    }
    const after = (await client.request('invoke', { object: manager, operation: 'getSessions', operationParams: {} })).result
      ?.value as string[];
    expect(after.length).toBe(before.length);
  });

  test('binary frames carry requests as text frames do; answers come as text', async () => {
    const reply = await client.request('create', { type: 'MediaPipeline', constructorParams: {} }, true);
    pipeline = reply.result?.value as string;
    expect(pipeline).toMatch(/_kurento\.MediaPipeline$/);
    expect(reply.result?.sessionId).toEqual(expect.any(String));
  });

  test('a request that names no session runs in its connection’s session', async () => {
    const created = await client.request('create', { type: 'MediaPipeline', constructorParams: {} });
    pipeline = created.result?.value as string;
    const sessionId = created.result?.sessionId;
    expect((await client.request('ping')).result).toEqual({ sessionId, value: 'pong' });
    expect((await client.request('describe', { object: pipeline })).result?.sessionId).toBe(sessionId);
  });

  test('connect answers the session and the server’s id; an unknown session is INVALID_SESSION', async () => {
    const fresh = await client.request('connect');
    expect(fresh.result).toEqual({ sessionId: expect.any(String), serverId: expect.any(String) });
    const created = await client.request('create', { type: 'MediaPipeline', constructorParams: {} });
    pipeline = created.result?.value as string;
    const again = await RawClient.open(url());
    try {
      const resumed = await again.request('connect', { sessionId: created.result?.sessionId });
      expect(resumed.result).toEqual({ sessionId: created.result?.sessionId, serverId: fresh.result?.serverId });
      const unknown = await again.request('connect', { sessionId: 'no-such-session' });
      expect(unknown.error).toMatchObject({ code: 40007, data: { type: 'INVALID_SESSION' } });
    } finally {
      again.close();
    }
  });

  test('operations that return nothing answer value: null', async () => {
    const object = await newPipeline();
    const added = await client.request('invoke', { object, operation: 'addTag', operationParams: { key: 'k', value: 'v' } });
    expect(added.result).toEqual({ sessionId: expect.any(String), value: null });
    expect(Object.keys(added.result ?? {})).toContain('value');
  });

  test.each([
    [
      'creating an unknown type',
      'create',
      () => ({ type: 'TeleportEndpoint', constructorParams: {} }),
      40108,
      'MEDIA_OBJECT_NOT_AVAILABLE',
    ],
    [
      'invoking an unknown operation',
      'invoke',
      (p: string) => ({ object: p, operation: 'fly', operationParams: {} }),
      40008,
      'MALFORMED_TRANSACTION',
    ],
    [
      'a missing tag',
      'invoke',
      (p: string) => ({ object: p, operation: 'getTag', operationParams: { key: 'absent' } }),
      40110,
      'MEDIA_OBJECT_TAG_KEY_NOT_FOUND',
    ],
    [
      'an unknown object',
      'invoke',
      () => ({ object: 'nope_kurento.MediaPipeline', operation: 'getName', operationParams: {} }),
      40101,
      'MEDIA_OBJECT_NOT_FOUND',
    ],
  ])('%s gives KMS’s code', async (_what, method, params, code, type) => {
    const object = await newPipeline();
    const reply = await client.request(method, params(object));
    expect(reply.error).toMatchObject({ code, data: { type } });
    expect(reply.id).not.toBeNull();
  });

  test('releasing what is already gone succeeds, as on KMS; the ServerManager cannot be released', async () => {
    const object = await newPipeline();
    pipeline = undefined;
    expect((await client.request('release', { object })).result).toEqual({ sessionId: expect.any(String) });
    expect((await client.request('release', { object })).result).toEqual({ sessionId: expect.any(String) });
    expect((await client.request('release', { object: 'manager_ServerManager' })).error).toBeUndefined();
    const info = await client.request('invoke', {
      object: 'manager_ServerManager',
      operation: 'getPipelines',
      operationParams: {},
    });
    expect(info.error).toBeUndefined();
  });

  test('an unknown JSON-RPC method is METHOD_NOT_FOUND, and a readable id is always echoed', async () => {
    expect((await client.request('teleport')).error).toMatchObject({ code: -32601 });
    client.socket.send({ id: 77, method: 'ping' }); // no "jsonrpc": refused, but with its id
    const refused = await client.reply(77);
    expect(refused.error?.code).toBe(-32600);
  });

  test('a transaction answers full JSON-RPC responses in order, and stops at the first failure', async () => {
    const reply = await client.request('transaction', {
      operations: [
        { jsonrpc: '2.0', id: 0, method: 'create', params: { type: 'MediaPipeline', constructorParams: {} } },
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'invoke',
          params: { object: 'newref:0', operation: 'getTag', operationParams: { key: 'x' } },
        },
        {
          jsonrpc: '2.0',
          id: 2,
          method: 'invoke',
          params: { object: 'newref:0', operation: 'setName', operationParams: { name: 'n' } },
        },
      ],
    });
    const responses = reply.result?.value as Wire[];
    pipeline = responses[0]?.result?.value as string;
    expect(responses).toEqual([
      {
        jsonrpc: '2.0',
        id: 0,
        result: { value: expect.stringMatching(/_kurento\.MediaPipeline$/), sessionId: expect.any(String) },
      },
      { jsonrpc: '2.0', id: 1, error: expect.objectContaining({ code: 40110 }) },
    ]);
    const named = await client.request('invoke', { object: pipeline, operation: 'getName', operationParams: {} });
    expect(named.result?.value).not.toBe('n');
    const misnumbered = await client.request('transaction', {
      operations: [{ jsonrpc: '2.0', id: 5, method: 'create', params: { type: 'MediaPipeline', constructorParams: {} } }],
    });
    expect(misnumbered.error).toMatchObject({ code: 40008 });
  });

  test('a request sent again with its id gets its first answer, not a second object', async () => {
    const id = client.send('create', { type: 'MediaPipeline', constructorParams: {} });
    const first = await client.reply(id);
    pipeline = first.result?.value as string;
    const frame = {
      jsonrpc: '2.0',
      id,
      method: 'create',
      params: { type: 'MediaPipeline', constructorParams: {}, sessionId: first.result?.sessionId },
    };
    client.socket.send(frame);
    const again = (await client.socket.next<Wire>()) as Wire;
    expect(again).toEqual(first);
    const pipelines = await client.request('invoke', {
      object: 'manager_ServerManager',
      operation: 'getPipelines',
      operationParams: {},
    });
    expect((pipelines.result?.value as string[]).filter((p) => p === pipeline)).toHaveLength(1);
    expect(pipelines.result?.value as string[]).toHaveLength(1);
  });

  test('processOffer then gatherCandidates, sent back to back, both succeed in order; candidates carry timestampMillis', async () => {
    const object = await newPipeline();
    const endpoint = (await client.request('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: object } }))
      .result?.value as string;
    expect((await client.request('subscribe', { object: endpoint, type: 'IceCandidateFound' })).error).toBeUndefined();
    const { sdp, pc } = await nodeOffer();
    try {
      const offered = client.send('invoke', { object: endpoint, operation: 'processOffer', operationParams: { offer: sdp } });
      const gathering = client.send('invoke', { object: endpoint, operation: 'gatherCandidates', operationParams: {} });
      const answer = await client.reply(offered);
      const gathered = await client.reply(gathering);
      expect(answer.result?.value).toMatch(/^v=0/);
      expect(gathered.result).toEqual({ sessionId: expect.any(String), value: null });
      const candidate = (await client.event('IceCandidateFound')).params?.value?.data ?? {};
      expect(candidate.timestampMillis).toMatch(/^\d{13}$/);
      expect(candidate).not.toHaveProperty('timestamp');
    } finally {
      await pc.close();
    }
  });

  test('only /kurento serves the protocol; other paths are closed', async () => {
    const base = url().replace(/\/kurento(\?.*)?$/, '');
    const ws = new WebSocket(`${base}/other`);
    const closed = await new Promise<number>((resolve) => {
      ws.on('close', (code) => resolve(code));
      ws.on('error', () => undefined);
    });
    expect(closed).toBe(1002);
    const withQuery = await RawClient.open(`${base}/kurento?token=abc`);
    try {
      expect((await withQuery.request('ping')).result).toEqual({ value: 'pong' });
    } finally {
      withQuery.close();
    }
  });
}
