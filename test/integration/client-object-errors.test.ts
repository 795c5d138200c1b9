// The application's kurento-client objects against a failing media server: a subscription
// the media server refuses (here, to an object another client released) makes kurento-client
// emit 'error' on the object, which it allows no listener for. The server logs it and lives.

import { Writable } from 'node:stream';
import pino from 'pino';
import { MediaServerConnection } from '../../server/kurento/client';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { routeKurentoClientOutput } from '../../server/kurento/client-output';
import { eventually } from '../helpers/app';

test('a refused subscription is logged, and the process goes on', async () => {
  const lines: { msg: string; objectId?: string; err?: { message: string } }[] = [];
  routeKurentoClientOutput(
    pino(
      { level: 'warn' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()));
          done();
        },
      }),
    ),
  );
  const log = pino({ level: 'silent' });
  const engine = await EngineProcess.start(log, { logLevel: 'warn' });
  const ours = new MediaServerConnection(engine.url, log);
  const theirs = new MediaServerConnection(engine.url, log);
  try {
    await eventually(
      () => ours.ready && theirs.ready,
      (ready) => ready,
    );
    const pipeline = await ours.createPipeline();
    const endpoint = await pipeline.createWebRtcEndpoint();
    // Another application releases the pipeline, and our endpoint with it.
    await pipeline.tag('owner', 'client-object-errors');
    const [theirCopy] = await theirs.pipelinesTagged('owner', 'client-object-errors');
    await theirCopy!.release();
    endpoint.onIceCandidate(() => undefined);
    const logged = await eventually(
      () => lines.filter((l) => l.msg === 'a media object reported an error'),
      (l) => l.length > 0,
      30_000,
      'the failed subscription to be logged',
    );
    expect(logged[0]!.objectId).toBe(endpoint.id);
  } finally {
    ours.close();
    theirs.close();
    await engine.stop();
  }
}, 60_000);
