// The conformance suite against the embedded media server, started as the application starts
// it: a child process on a free loopback port. Set CONFORMANCE_KMS_URL to run the same suite
// against another media server instead (test/docker/kms.test.ts does that with a real KMS).

import pino from 'pino';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { dataChannelsSuite } from './data-channels';
import { httpPostSuite } from './http-post';
import { hubsSuite } from './hubs';
import { rtpEndpointSuite } from './rtp-endpoint';
import { conformanceSuite, type MediaServerTarget } from './scenarios';

// The hubs' scenarios wait on three browsers at once.
jest.setTimeout(120_000);

describe('Kurento conformance: embedded media server', () => {
  let engine: EngineProcess | undefined;
  let target: MediaServerTarget;

  beforeAll(async () => {
    const external = process.env.CONFORMANCE_KMS_URL;
    if (external) {
      target = { url: external, label: external };
      return;
    }
    engine = await EngineProcess.start(pino({ level: 'warn' }), { logLevel: 'warn' });
    target = { url: engine.url, label: 'embedded' };
  });

  conformanceSuite(() => target);
  describe('data channels', () => dataChannelsSuite(() => target));
  describe('hubs', () => hubsSuite(() => target));
  describe('RtpEndpoint', () => rtpEndpointSuite(() => target));
  describe('HttpPostEndpoint', () => httpPostSuite(() => target));

  // NOTE: after the suite's own afterAll has closed its client (hooks run in the order they
  // are declared): the registry's reconnect-ws throws an uncaught ECONNREFUSED when a client
  // still open finds its media server gone.
  afterAll(async () => {
    await engine?.stop();
  });
});
