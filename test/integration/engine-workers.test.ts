// The engine with media worker threads (--workers 2), as a user starts it: the engine process,
// driven by the registry's kurento-client. Pipelines are placed on the worker with the fewest;
// media, events and KMS's errors cross from the workers unchanged; released pipelines leave
// their worker, and a new one goes where there is room. A worker that dies (killed, as a crash
// would) takes its pipelines with it and is replaced.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import pino from 'pino';
import { loadEngineConfig } from '../../engine/config';
import { startEngine, type Engine } from '../../engine/engine';
import { HeadlessPeer, negotiate } from '../../scripts/lib/headless-peer';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { eventually } from '../helpers/app';
import { call, connect, disconnect, negotiable } from '../helpers/kurento';

describe('engine with two media workers', () => {
  let engine: EngineProcess;
  let client: any;
  let manager: any;
  const peers: HeadlessPeer[] = [];

  beforeAll(async () => {
    engine = await EngineProcess.start(pino({ level: 'silent' }), { logLevel: 'warn', env: { ENGINE_WORKERS: '2' } });
    client = await connect(engine.url);
    manager = await call<any>(client, 'getServerManager');
  });

  afterAll(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    if (client) await disconnect(client);
    await engine?.stop();
  });

  const pipelineIds = async (): Promise<string[]> =>
    (await call<{ id: string }[]>(manager, 'getPipelines')).map((p) => p.id).sort();

  const pipelinesPerWorker = async (): Promise<number[]> =>
    (JSON.parse(await call<string>(manager, 'getMetadata')) as { workers: { pipelines: number }[] }).workers.map(
      (w) => w.pipelines,
    );

  /** A publisher and a viewer of it in `pipeline`; resolves once the viewer's sink says the video reaches it. */
  async function broadcast(pipeline: any): Promise<{ viewer: HeadlessPeer; sink: any }> {
    const source = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const sink = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    await call(source, 'connect', sink);
    const flowing = new Promise<string>((resolve) =>
      sink.on('MediaFlowInStateChanged', (e: { state: string; mediaType: string }) => {
        if (e.state === 'FLOWING' && e.mediaType === 'VIDEO') resolve(e.state);
      }),
    );
    const publisher = HeadlessPeer.publisher();
    const viewer = HeadlessPeer.viewer();
    peers.push(publisher, viewer);
    await negotiate(publisher, negotiable(source));
    await negotiate(viewer, negotiable(sink));
    publisher.startSending(300_000, 15);
    await flowing;
    return { viewer, sink };
  }

  test('two pipelines go to two workers, and media, events and errors cross from each', async () => {
    expect(await pipelinesPerWorker()).toEqual([0, 0]);
    const first = await call<any>(client, 'create', 'MediaPipeline');
    const second = await call<any>(client, 'create', 'MediaPipeline');
    expect(await pipelinesPerWorker()).toEqual([1, 1]);
    expect(await pipelineIds()).toEqual([first.id, second.id].sort());

    const [a, b] = await Promise.all([broadcast(first), broadcast(second)]);
    const before = [a.viewer.received.packets, b.viewer.received.packets];
    await eventually(
      () => [a.viewer.received.packets - before[0]!, b.viewer.received.packets - before[1]!],
      ([x, y]) => x! > 50 && y! > 50,
      10_000,
      'both viewers to keep receiving',
    );

    // A KMS error raised in a worker reaches the client with its code.
    const refused = await call(a.sink, 'processOffer', 'this is no SDP').catch((e: { code?: number }) => e);
    expect(refused).toMatchObject({ code: 40201 });
    // An operation's result crosses back: a getter of an object in the other worker.
    expect(await call<string>(b.sink, 'getMediaPipeline').then((p: any) => p.id)).toBe(second.id);

    // Released, a pipeline leaves its worker; the next one goes where there is room.
    await call(first, 'release');
    expect(await pipelinesPerWorker()).toEqual([0, 1]);
    const third = await call<any>(client, 'create', 'MediaPipeline');
    expect(await pipelinesPerWorker()).toEqual([1, 1]);
    await call(second, 'release');
    await call(third, 'release');
    expect(await pipelinesPerWorker()).toEqual([0, 0]);
    expect(await pipelineIds()).toEqual([]);
  }, 60_000);
});

describe('one broadcast spread over two media workers', () => {
  let engine: EngineProcess;
  let client: any;
  let manager: any;
  const peers: HeadlessPeer[] = [];
  const timers: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    // A pipeline spills past 2 elements on its worker, so that five show the spread.
    engine = await EngineProcess.start(pino({ level: 'silent' }), {
      logLevel: 'warn',
      env: { ENGINE_WORKERS: '2', ENGINE_PIPE_AFTER: '2' },
    });
    client = await connect(engine.url);
    manager = await call<any>(client, 'getServerManager');
  });

  afterAll(async () => {
    timers.splice(0).forEach((t) => clearInterval(t));
    await Promise.all(peers.splice(0).map((p) => p.close()));
    if (client) await disconnect(client);
    await engine?.stop();
  });

  const loads = async (): Promise<{ pipelines: number; elements: number }[]> =>
    (JSON.parse(await call<string>(manager, 'getMetadata')) as { workers: { pipelines: number; elements: number }[] }).workers;

  test('sinks past the limit go to the other worker; the source is piped there, with media, keyframe requests and estimates', async () => {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    const source = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const connected: string[] = [];
    source.on('ElementConnected', (e: { sink: string; mediaType: string }) => {
      if (e.mediaType === 'VIDEO') connected.push(e.sink);
    });
    const publisher = HeadlessPeer.publisher();
    peers.push(publisher);
    await negotiate(publisher, negotiable(source));
    publisher.startSending(1_000_000, 15);

    // The source and the first sink fill the pipeline's worker to its limit; then the emptier
    // worker takes each new element, the pipeline's worker winning ties.
    const sinks: any[] = [];
    for (let i = 0; i < 4; i++) sinks.push(await call<any>(pipeline, 'create', 'WebRtcEndpoint'));
    const spread = await loads();
    const home = spread.findIndex((w) => w.pipelines === 1);
    expect(spread[home]).toEqual({ pipelines: 1, elements: 3 });
    expect(spread[1 - home]).toEqual({ pipelines: 0, elements: 2 });
    const far = [sinks[1], sinks[2]];

    for (const sink of sinks) await call(source, 'connect', sink);
    const viewers = sinks.map(() => HeadlessPeer.viewer());
    peers.push(...viewers);
    await Promise.all(viewers.map((v, i) => negotiate(v, negotiable(sinks[i]))));
    await eventually(
      () => viewers.map((v) => v.received.packets),
      (counts) => counts.every((n) => n > 100),
      15_000,
      'every viewer, on both workers, to receive the broadcast',
    );
    expect(viewers.reduce((lost, v) => lost + v.received.lost, 0)).toBe(0);

    // Clients see one source and its sinks: the stand-in is never named.
    await eventually(
      () => [...connected].sort(),
      (ids) => ids.length === 4,
      5_000,
      'ElementConnected for each sink',
    );
    expect([...connected].sort()).toEqual(sinks.map((s) => s.id).sort());
    const sinkConnections = await call<{ sink: string; type: string }[]>(source, 'getSinkConnections');
    expect(
      sinkConnections
        .filter((c) => c.type === 'VIDEO')
        .map((c) => c.sink)
        .sort(),
    ).toEqual(sinks.map((s) => s.id).sort());
    const children = await call<{ id: string }[]>(pipeline, 'getChildren');
    expect(children.map((c) => c.id).sort()).toEqual([source, ...sinks].map((e) => e.id).sort());
    const sourceOfFar = await call<{ source: string; type: string }[]>(far[0], 'getSourceConnections');
    expect(sourceOfFar.find((c) => c.type === 'VIDEO')?.source).toBe(source.id);

    // A sink connected on the far worker asks for a keyframe; the publisher hears it.
    const asked = publisher.keyframeRequests;
    const late = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    expect((await loads())[1 - home]!.elements).toBe(3);
    await call(source, 'connect', late);
    await eventually(
      () => publisher.keyframeRequests,
      (n) => n > asked,
      10_000,
      'a keyframe request from the far sink',
    );

    // What a far viewer can take reaches the publisher, folded with the near ones'.
    const sender = publisher.pc.getTransceivers().find((t) => t.kind === 'video')!.sender;
    const announce = (): void => void viewers[1]!.announceBandwidth(250_000).catch(() => undefined);
    announce();
    timers.push(setInterval(announce, 300));
    await eventually(
      () => Number(sender.receiverEstimatedMaxBitrate),
      (bps) => Math.abs(bps - 250_000) <= 2_500,
      15_000,
      'the publisher to be told the far viewer’s 250 kbps',
    );

    // Disconnected, a far sink is off the source's list; the others still receive.
    await call(source, 'disconnect', far[1]);
    expect((await call<{ sink: string }[]>(source, 'getSinkConnections')).filter((c) => c.sink === far[1].id)).toEqual([]);
    const before = viewers[1]!.received.packets;
    await eventually(
      () => viewers[1]!.received.packets - before,
      (n) => n > 50,
      10_000,
      'the other far viewer to keep receiving',
    );

    // Released, the pipeline takes its elements on both workers with it.
    await call(pipeline, 'release');
    expect(await loads()).toEqual([
      { pipelines: 0, elements: 0 },
      { pipelines: 0, elements: 0 },
    ]);
    expect(await call(far[0], 'getName').catch((e: { code?: number }) => e)).toMatchObject({ code: 40101 });
  }, 90_000);

  test('a connection between two pipelines is refused across workers too', async () => {
    const first = await call<any>(client, 'create', 'MediaPipeline');
    const second = await call<any>(client, 'create', 'MediaPipeline');
    try {
      const a = await call<any>(first, 'create', 'PassThrough');
      const b = await call<any>(second, 'create', 'PassThrough');
      expect(await call(a, 'connect', b).catch((e: { code?: number; message?: string }) => e)).toMatchObject({
        code: 40107,
        message: expect.stringMatching(/different pipelines/),
      });
    } finally {
      await call(first, 'release');
      await call(second, 'release');
    }
  });
});

test('a worker count that is not a whole number from 0 to 256 is refused by name', () => {
  expect(() => loadEngineConfig(['--workers', '-1'])).toThrow(/ENGINE_WORKERS must be an integer from 0 to 256/);
  expect(() => loadEngineConfig([], { ENGINE_WORKERS: 'many' })).toThrow(/ENGINE_WORKERS/);
  expect(loadEngineConfig(['--workers', '3']).workers).toBe(3);
  expect(() => loadEngineConfig(['--pipe-after', '-1'])).toThrow(/ENGINE_PIPE_AFTER must be an integer from 0 to 1000000/);
  expect(loadEngineConfig(['--pipe-after', '0']).pipeAfter).toBe(0);
  expect(loadEngineConfig([]).pipeAfter).toBe(32);
});

/** For one describe: an engine in this process (so a test can kill its workers) and a client of it. */
function engineInThisProcess(args: string[]): { engine: Engine; client: any } {
  const held = {} as { engine: Engine; client: any };
  beforeAll(async () => {
    held.engine = await startEngine(loadEngineConfig(['--port', '0', ...args]), pino({ level: 'silent' }));
    held.client = await connect(`ws://127.0.0.1:${held.engine.port}/kurento`);
  });
  afterAll(async () => {
    if (held.client) await disconnect(held.client);
    await held.engine?.close();
  });
  return held;
}

describe('a media worker that dies', () => {
  const held = engineInThisProcess(['--workers', '2']);

  test('takes its pipelines with it, is replaced, and the other worker carries on', async () => {
    const { engine, client } = held;
    const manager = await call<any>(client, 'getServerManager');
    const first = await call<any>(client, 'create', 'MediaPipeline');
    const second = await call<any>(client, 'create', 'MediaPipeline');
    const endpoint = await call<any>(first, 'create', 'WebRtcEndpoint');
    const destroyed: string[] = [];
    manager.on('ObjectDestroyed', (e: { objectId: string }) => destroyed.push(e.objectId));
    // A round trip after the subscription (sent before it, on the same socket) means it is in place.
    await call(manager, 'getPipelines');

    engine.killWorker(0);
    await eventually(
      () => call<{ id: string }[]>(manager, 'getPipelines').then((ps) => ps.map((p) => p.id)),
      (ids) => ids.length === 1 && ids[0] === second.id,
      10_000,
      'the dead worker’s pipeline to be gone',
    );
    await eventually(
      () => destroyed,
      (d) => d.includes(first.id) && d.includes(endpoint.id),
      5_000,
      'ObjectDestroyed',
    );
    expect(await call(endpoint, 'getName').catch((e: { code?: number }) => e)).toMatchObject({ code: 40101 });

    // The other worker's pipeline still works.
    await call(second, 'create', 'WebRtcEndpoint');
    // A replacement takes the dead worker's place: a new pipeline goes to it (the emptier one).
    const perWorker = async (): Promise<number[]> =>
      (JSON.parse(await call<string>(manager, 'getMetadata')) as { workers: { pipelines: number }[] }).workers.map(
        (w) => w.pipelines,
      );
    const third = await eventually(
      async () => {
        const pipeline = await call<any>(client, 'create', 'MediaPipeline');
        if ((await perWorker())[0] === 1) return pipeline;
        await call(pipeline, 'release'); // placed before the replacement was up: try again
        return undefined;
      },
      (pipeline) => pipeline !== undefined,
      10_000,
      'a pipeline placed on the replacement worker',
    );
    expect(await perWorker()).toEqual([1, 1]);
    await call(third, 'create', 'PassThrough');
    await call(second, 'release');
    await call(third, 'release');
  });
});

describe('a media worker that dies while a pipeline spans two', () => {
  // Every element past the first spills to the emptier worker.
  const held = engineInThisProcess(['--workers', '2', '--pipe-after', '1']);

  test('takes its shard’s elements; the source and the rest of the pipeline carry on', async () => {
    const { engine, client } = held;
    const manager = await call<any>(client, 'getServerManager');
    const loads = async (): Promise<{ pipelines: number; elements: number }[]> =>
      (JSON.parse(await call<string>(manager, 'getMetadata')) as { workers: { pipelines: number; elements: number }[] }).workers;
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    const source = await call<any>(pipeline, 'create', 'PassThrough');
    const farSink = await call<any>(pipeline, 'create', 'PassThrough');
    const spread = await loads();
    const home = spread.findIndex((w) => w.pipelines === 1);
    expect(spread.map((w) => w.elements)).toEqual([1, 1]);
    await call(source, 'connect', farSink);
    expect((await call<{ sink: string }[]>(source, 'getSinkConnections')).map((c) => c.sink)).toContain(farSink.id);

    engine.killWorker(1 - home);
    await eventually(
      () => call(farSink, 'getName').catch((e: { code?: number }) => e),
      (answer) => (answer as { code?: number }).code === 40101,
      10_000,
      'the far sink to be gone with its worker',
    );
    // The pipeline and its source live on; the dead worker's sink is off the source's list.
    expect(await call(source, 'getSinkConnections')).toEqual([]);
    expect((await call<{ id: string }[]>(pipeline, 'getChildren')).map((c) => c.id)).toEqual([source.id]);
    // A new sink goes to the replacement (the emptier worker) once it is up, and connects.
    const sink = await eventually(
      async () => {
        const made = await call<any>(pipeline, 'create', 'PassThrough');
        if ((await loads())[1 - home]?.elements === 1) return made;
        await call(made, 'release'); // placed before the replacement was up: try again
        return undefined;
      },
      (made) => made !== undefined,
      10_000,
      'an element placed on the replacement worker',
    );
    await call(source, 'connect', sink);
    expect((await call<{ sink: string }[]>(source, 'getSinkConnections')).map((c) => c.sink)).toContain(sink.id);

    // The pipeline's own worker dies: the whole pipeline goes, its shard elsewhere with it.
    engine.killWorker(home);
    await eventually(
      () => loads(),
      (l) => l.every((w) => w.pipelines === 0 && w.elements === 0),
      10_000,
      'the pipeline and its shard to be gone',
    );
    expect(await call(sink, 'getName').catch((e: { code?: number }) => e)).toMatchObject({ code: 40101 });
  });
});
