// The engine's --session-timeout (ENGINE_SESSION_TIMEOUT): a client whose connection drops
// keeps its objects for that long, so it can resume; one that never comes back has its
// pipelines released, as KMS does.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import pino from 'pino';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { eventually } from '../helpers/app';
import { DroppableLink } from '../helpers/droppable-link';
import { call, connect } from '../helpers/kurento';

describe('engine session timeout', () => {
  let engine: EngineProcess;
  let observer: any;

  beforeAll(async () => {
    engine = await EngineProcess.start(pino({ level: 'warn' }), { logLevel: 'warn', env: { ENGINE_SESSION_TIMEOUT: '3' } });
    observer = await connect(engine.url);
  });

  afterAll(async () => {
    observer?.close();
    await engine?.stop();
  });

  const pipelines = async (): Promise<string[]> =>
    call<string[]>(await call<any>(observer, 'getServerManager'), 'getPipelines').then((ps: any[]) => ps.map((p) => p.id ?? p));

  test('a client that vanishes and never comes back has its pipelines released after the timeout', async () => {
    const link = await DroppableLink.open(engine.url);
    const vanishing = await connect(link.url);
    const pipeline = await call<any>(vanishing, 'create', 'MediaPipeline');
    await call(pipeline, 'create', 'WebRtcEndpoint');
    expect(await pipelines()).toEqual([pipeline.id]);

    // The network goes, and so does the client: it will never resume.
    await link.close();
    vanishing.close();
    const droppedAt = Date.now();
    // Kept while the client could still resume...
    expect(await pipelines()).toEqual([pipeline.id]);
    // ...and released once it cannot.
    await eventually(pipelines, (p) => p.length === 0, 15_000, 'the vanished client’s pipeline to be released');
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(3000);
  });
});
