// The wire suite against the embedded media server, started as the application starts it.

import pino from 'pino';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { wireSuite } from './wire';

describe('Kurento Protocol on the wire: embedded media server', () => {
  let engine: EngineProcess | undefined;
  let url: string;

  beforeAll(async () => {
    const external = process.env.CONFORMANCE_KMS_URL;
    if (external) {
      url = external;
      return;
    }
    engine = await EngineProcess.start(pino({ level: 'warn' }), { logLevel: 'warn' });
    url = engine.url;
  });

  wireSuite(() => url);

  afterAll(async () => {
    await engine?.stop();
  });
});
