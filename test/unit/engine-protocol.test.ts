// The embedded media server speaks the Kurento Protocol as KMS does: raw JSON-RPC frames,
// error codes and shapes, implicit transactions with `newref:` references, and refusals
// for what it does not implement.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { RTCPeerConnection } from 'werift';
import { loadEngineConfig } from '../../engine/config';
import { startEngine, type Engine } from '../../engine/engine';
import { TestSocket } from '../helpers/ws';

/** A class as a kmd.json file describes it. */
type KmdClass = { name: string; abstract?: boolean; constructor?: unknown };

type Reply = {
  id?: number;
  result?: { value?: unknown; sessionId?: string };
  error?: { code: number; message: string; data?: { type: string } };
};

describe('embedded media server protocol', () => {
  let engine: Engine;
  let socket: TestSocket;
  let nextId = 1;

  const request = async (method: string, params: Record<string, unknown> = {}): Promise<Reply> => {
    const id = nextId++;
    socket.send({ jsonrpc: '2.0', id, method, params });
    for (;;) {
      const reply = await socket.next<Reply>();
      if (reply.id === id) return reply;
    }
  };

  beforeAll(async () => {
    engine = await startEngine(loadEngineConfig(['--port', '0']), pino({ level: 'silent' }));
    socket = await TestSocket.open(`ws://127.0.0.1:${engine.port}/kurento`);
  });

  afterAll(async () => {
    socket?.close();
    await engine?.close();
  });

  test('ping answers pong', async () => {
    expect((await request('ping', { interval: 240000 })).result?.value).toBe('pong');
  });

  test('malformed JSON gets a JSON-RPC parse error and the socket stays open', async () => {
    socket.send('{"jsonrpc": "2.0", "id": ');
    expect((await socket.next<Reply>()).error?.code).toBe(-32700);
    expect((await request('ping')).result?.value).toBe('pong');
  });

  test('create, describe and release a pipeline, with KMS-shaped ids and results', async () => {
    const created = await request('create', { type: 'MediaPipeline', constructorParams: {}, properties: {} });
    const id = created.result?.value as string;
    expect(id).toMatch(/^[0-9a-f-]{36}_kurento\.MediaPipeline$/);
    expect(created.result?.sessionId).toEqual(expect.any(String));
    const described = await request('describe', { object: id });
    expect(described.result).toMatchObject({
      type: 'MediaPipeline',
      qualifiedType: 'kurento.MediaPipeline',
      hierarchy: ['kurento.MediaObject'],
    });
    expect((await request('release', { object: id })).error).toBeUndefined();
    expect((await request('describe', { object: id })).error).toMatchObject({ code: 40101 });
  });

  test('a transaction creates a pipeline and an endpoint in it through newref', async () => {
    const reply = await request('transaction', {
      operations: [
        { jsonrpc: '2.0', id: 0, method: 'create', params: { type: 'MediaPipeline', constructorParams: {} } },
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'create',
          params: { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: 'newref:0' } },
        },
      ],
    });
    const [pipeline, endpoint] = reply.result?.value as { result: { value: string } }[];
    expect(endpoint?.result.value.startsWith(`${pipeline?.result.value}/`)).toBe(true);
    expect(endpoint?.result.value).toMatch(/_kurento\.WebRtcEndpoint$/);
    const children = await request('invoke', { object: pipeline?.result.value, operation: 'getChildren', operationParams: {} });
    expect(children.result?.value).toEqual([endpoint?.result.value]);
    await request('release', { object: pipeline?.result.value });
  });

  test.each([
    ['an unknown object', 'invoke', { object: 'nope_kurento.MediaPipeline', operation: 'getName' }, 40101],
    ['an unknown class', 'create', { type: 'TeleportEndpoint', constructorParams: {} }, 40108],
    ['a missing constructor parameter', 'create', { type: 'WebRtcEndpoint', constructorParams: {} }, 40001],
    [
      'a parameter of the wrong type',
      'create',
      { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: 'x', recvonly: 'yes' } },
      40001,
    ],
    ['an unknown method', 'teleport', {}, -32601],
  ])('%s is refused with its KMS error code', async (_name, method, params, code) => {
    expect((await request(method, params)).error?.code).toBe(code);
  });

  test("every concrete class of KMS 7.3's core, elements and filters, and chroma's, can be created", async () => {
    const pipeline = (await request('create', { type: 'MediaPipeline' })).result?.value as string;
    const required: Record<string, Record<string, unknown>> = {
      PlayerEndpoint: { uri: `file://${process.cwd()}/media/never-played.webm` },
      RecorderEndpoint: { uri: `file://${process.cwd()}/media/never-recorded.webm` },
      GStreamerFilter: { command: 'videoflip method=horizontal-flip' },
      ChromaFilter: { window: { topRightCornerX: 0, topRightCornerY: 0, width: 10, height: 10, __type__: 'WindowParam' } },
    };
    const concrete: string[] = [];
    const modules = ['kurento-client-core', 'kurento-client-elements', 'kurento-client-filters', 'kurento-module-chroma'];
    for (const module of modules) {
      const dir = join(process.cwd(), 'node_modules', module, 'src');
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.kmd.json'))) {
        const kmd = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { remoteClasses?: KmdClass[] };
        for (const c of kmd.remoteClasses ?? []) if (c.constructor && !c.abstract) concrete.push(c.name);
      }
    }
    expect(concrete).toHaveLength(18);
    try {
      const hub = (await request('create', { type: 'Composite', constructorParams: { mediaPipeline: pipeline } })).result?.value;
      for (const type of concrete) {
        const params =
          type === 'MediaPipeline' ? {} : type === 'HubPort' ? { hub } : { mediaPipeline: pipeline, ...required[type] };
        const created = await request('create', { type, constructorParams: params });
        expect({ type, error: created.error }).toEqual({ type, error: undefined });
        if (type === 'MediaPipeline') await request('release', { object: created.result?.value });
      }
    } finally {
      await request('release', { object: pipeline });
    }
  });

  test('operations that exist in KMS but not here say so, never succeed silently', async () => {
    const pipeline = (await request('create', { type: 'MediaPipeline' })).result?.value as string;
    try {
      // SRTP suites other than AES_128_CM_HMAC_SHA1_80 (KMS has all four).
      const aes256 = await request('create', {
        type: 'RtpEndpoint',
        constructorParams: { mediaPipeline: pipeline, crypto: { crypto: 'AES_256_CM_HMAC_SHA1_80', __type__: 'SDES' } },
      });
      expect(aes256.error).toMatchObject({
        code: 40006,
        message: expect.stringMatching(/not supported by the embedded media server/),
      });
      const dot = await request('invoke', { object: pipeline, operation: 'getGstreamerDot', operationParams: {} });
      expect(dot.error?.message).toMatch(/not supported by the embedded media server/);
      const unknown = await request('invoke', { object: pipeline, operation: 'fly', operationParams: {} });
      expect(unknown.error?.code).toBe(40008);
      const badEvent = await request('subscribe', { object: pipeline, type: 'Landed' });
      expect(badEvent.error?.code).toBe(40106);
      // A parameter of the wrong type, and a required one missing, are refused by name.
      const wrongType = await request('invoke', { object: pipeline, operation: 'setName', operationParams: { name: 42 } });
      expect(wrongType.error?.message).toMatch(/name/);
      expect(wrongType.error?.code).toBeGreaterThanOrEqual(40000);
      const missing = await request('create', { type: 'WebRtcEndpoint', constructorParams: {} });
      expect(missing.error?.message).toMatch(/mediaPipeline/);
      // The send limits are kept and read back (they bound what the sink asks of its publisher).
      const endpoint = (await request('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } }))
        .result?.value;
      for (const property of ['maxVideoSendBandwidth', 'minVideoSendBandwidth']) {
        const cap = property.charAt(0).toUpperCase() + property.slice(1);
        const set = await request('invoke', { object: endpoint, operation: `set${cap}`, operationParams: { [property]: 300 } });
        expect(set.error).toBeUndefined();
        const get = await request('invoke', { object: endpoint, operation: `get${cap}`, operationParams: {} });
        expect(get.result?.value).toBe(300);
      }
      // Nothing is transcoded by an endpoint that forwards.
      const transcoding = await request('invoke', {
        object: endpoint,
        operation: 'isMediaTranscoding',
        operationParams: { mediaType: 'VIDEO' },
      });
      expect(transcoding.result?.value).toBe(false);
    } finally {
      await request('release', { object: pipeline });
    }
  });

  test('a refused create leaves nothing behind in its pipeline', async () => {
    const pipeline = (await request('create', { type: 'MediaPipeline' })).result?.value as string;
    // Refused inside the element's own constructor, after the common part was built.
    const refused = await request('create', {
      type: 'WebRtcEndpoint',
      constructorParams: { mediaPipeline: pipeline, recvonly: true, sendonly: true },
    });
    expect(refused.error?.message).toMatch(/recvonly and sendonly/);
    const children = await request('invoke', { object: pipeline, operation: 'getChildren', operationParams: {} });
    expect(children.result?.value).toEqual([]);
    expect((await request('release', { object: pipeline })).error).toBeUndefined();
  });

  describe('offers from older and mobile clients are answered in their own shape, as KMS answers them', () => {
    let offer: string;
    let endpoint: string;
    let pipeline: string;

    beforeAll(async () => {
      const pc = new RTCPeerConnection();
      pc.addTransceiver('audio', { direction: 'sendrecv' });
      pc.addTransceiver('video', { direction: 'sendrecv' });
      await pc.setLocalDescription(await pc.createOffer());
      offer = pc.localDescription!.sdp;
      await pc.close();
    });

    beforeEach(async () => {
      pipeline = (await request('create', { type: 'MediaPipeline' })).result?.value as string;
      endpoint = (await request('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } })).result
        ?.value as string;
    });

    afterEach(async () => {
      await request('release', { object: pipeline });
    });

    const answer = async (sdp: string): Promise<Reply> =>
      request('invoke', { object: endpoint, operation: 'processOffer', operationParams: { offer: sdp } });
    const mLines = (sdp: string): string[] => sdp.split('\r\n').filter((l) => l.startsWith('m='));

    test('RTP/SAVPF without a=mid: the answer uses RTP/SAVPF and names no mid, and candidates name their line', async () => {
      const legacy = offer
        .replace(/UDP\/TLS\/RTP\/SAVPF/g, 'RTP/SAVPF')
        .replace(/a=mid:.*\r\n/g, '')
        .replace(/a=group:BUNDLE.*\r\n/g, '');
      const reply = await answer(legacy);
      const sdp = reply.result?.value as string;
      expect(mLines(sdp)).toEqual([
        expect.stringMatching(/^m=audio 9 RTP\/SAVPF /),
        expect.stringMatching(/^m=video 9 RTP\/SAVPF /),
      ]);
      expect(sdp).not.toMatch(/a=mid:|a=group:BUNDLE/);
      expect(sdp).toMatch(/a=fingerprint:/);
      // A candidate from such a client names its line by index only.
      const added = await request('invoke', {
        object: endpoint,
        operation: 'addIceCandidate',
        operationParams: {
          candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '', sdpMLineIndex: 1 },
        },
      });
      expect(added.error).toBeUndefined();
    });

    test('an insecure RTP/AVP section is answered rejected with port 0; the others are negotiated', async () => {
      const sections = offer.split('\r\nm=');
      const mixed = [sections[0], sections[1]!.replace('audio 9 UDP/TLS/RTP/SAVPF', 'audio 9 RTP/AVP'), sections[2]].join(
        '\r\nm=',
      );
      const sdp = (await answer(mixed)).result?.value as string;
      expect(mLines(sdp)).toEqual([
        expect.stringMatching(/^m=audio 0 RTP\/AVP /),
        expect.stringMatching(/^m=video 9 UDP\/TLS\/RTP\/SAVPF /),
      ]);
      expect(sdp).toMatch(/a=mid:0\r\n/);
      expect(sdp).toMatch(/a=group:BUNDLE 1\r\n/);
    });

    test('an offer with nothing a WebRtcEndpoint can take gets an answer that rejects it all', async () => {
      // kurento-client's own test offer: plain RTP/AVP, no ICE, no DTLS.
      const plain = [
        'v=0',
        'o=- 12345 12345 IN IP4 95.125.31.136',
        's=-',
        'c=IN IP4 95.125.31.136',
        't=0 0',
        'm=video 52126 RTP/AVP 96 97 98',
        'a=rtpmap:96 H264/90000',
        'a=recvonly',
        '',
      ].join('\r\n');
      const sdp = (await answer(plain)).result?.value as string;
      expect(sdp).toMatch(/^v=0\r\n/);
      expect(mLines(sdp)).toEqual(['m=video 0 RTP/AVP 96 97 98']);
      const remote = await request('invoke', { object: endpoint, operation: 'getRemoteSessionDescriptor', operationParams: {} });
      expect(remote.result?.value).toBe(plain);
    });
  });

  test('filters whose helper never ran release cleanly, twice, and a refused one leaves nothing to release', async () => {
    const pipeline = (await request('create', { type: 'MediaPipeline' })).result?.value as string;
    const window = {
      __module__: 'chroma',
      __type__: 'WindowParam',
      topRightCornerX: 0,
      topRightCornerY: 0,
      width: 10,
      height: 10,
    };
    const face = (await request('create', { type: 'FaceOverlayFilter', constructorParams: { mediaPipeline: pipeline } })).result
      ?.value;
    const chroma = (
      await request('create', { type: 'chroma.ChromaFilter', constructorParams: { mediaPipeline: pipeline, window } })
    ).result?.value;
    const refused = await request('create', {
      type: 'chroma.ChromaFilter',
      constructorParams: { mediaPipeline: pipeline, window: { ...window, width: 0 } },
    });
    expect(refused.error?.message).toMatch(/positive size/);
    for (const object of [face, chroma, face, chroma]) {
      expect((await request('release', { object })).error).toBeUndefined();
    }
    expect((await request('release', { object: pipeline })).error).toBeUndefined();
    expect((await request('invoke', { object: 'manager_ServerManager', operation: 'getPipelines' })).result?.value).toEqual([]);
  });

  test('an invalid SDP offer fails with SDP_PARSE_ERROR', async () => {
    const pipeline = (await request('create', { type: 'MediaPipeline' })).result?.value as string;
    const endpoint = (await request('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } })).result
      ?.value;
    const reply = await request('invoke', { object: endpoint, operation: 'processOffer', operationParams: { offer: 'hello' } });
    expect(reply.error).toMatchObject({ code: 40201, data: { type: 'SDP_PARSE_ERROR' } });
    await request('release', { object: pipeline });
    expect((await request('invoke', { object: 'manager_ServerManager', operation: 'getPipelines' })).result?.value).toEqual([]);
  });

  test('an RtpEndpoint resolves no name an SDP gives: such a section is answered rejected; one at a time', async () => {
    const pipeline = (await request('create', { type: 'MediaPipeline' })).result?.value as string;
    const create = async (): Promise<unknown> =>
      (await request('create', { type: 'RtpEndpoint', constructorParams: { mediaPipeline: pipeline } })).result?.value;
    const offer = (host: string): string =>
      `v=0\r\no=- 1 1 IN IP4 ${host}\r\ns=-\r\nc=IN IP4 ${host}\r\nt=0 0\r\nm=video 5004 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n`;
    const answer = async (endpoint: unknown, host: string): Promise<Reply> =>
      request('invoke', { object: endpoint, operation: 'processOffer', operationParams: { offer: offer(host) } });
    expect((await answer(await create(), 'media.example.org')).result?.value).toMatch(/^m=video 0 RTP\/AVP 96$/m);
    expect((await answer(await create(), '127.0.0.1')).result?.value).toMatch(/^m=video [1-9]\d* RTP\/AVP 96$/m);
    // Two offers at once: the second is refused, not interleaved with the first.
    const endpoint = await create();
    const [first, second] = await Promise.all([answer(endpoint, '127.0.0.1'), answer(endpoint, '127.0.0.1')]);
    expect(first.result?.value).toMatch(/^m=video [1-9]/m);
    expect(second.error?.data?.type).toBe('SDP_END_POINT_ALREADY_NEGOTIATED');
    await request('release', { object: pipeline });
  });
});
