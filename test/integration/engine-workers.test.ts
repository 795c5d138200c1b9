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

test('a worker count that is not a whole number from 0 to 256 is refused by name', () => {
  expect(() => loadEngineConfig(['--workers', '-1'])).toThrow(/ENGINE_WORKERS must be an integer from 0 to 256/);
  expect(() => loadEngineConfig([], { ENGINE_WORKERS: 'many' })).toThrow(/ENGINE_WORKERS/);
  expect(loadEngineConfig(['--workers', '3']).workers).toBe(3);
});

describe('a media worker that dies', () => {
  let engine: Engine;
  let client: any;

  beforeAll(async () => {
    engine = await startEngine(loadEngineConfig(['--port', '0', '--workers', '2']), pino({ level: 'silent' }));
    client = await connect(`ws://127.0.0.1:${engine.port}/kurento`);
  });

  afterAll(async () => {
    if (client) await disconnect(client);
    await engine?.close();
  });

  test('takes its pipelines with it, is replaced, and the other worker carries on', async () => {
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
