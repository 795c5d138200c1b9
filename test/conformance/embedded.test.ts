// The conformance suite against the embedded media server, started as the application starts
// it: a child process on a free loopback port, its media directory a fresh folder. Set
// CONFORMANCE_KMS_URL to run the same suite against another media server instead (and
// CONFORMANCE_MEDIA_DIR to a folder it reads at the same path, for the suites that play
// files); test/docker/kms.test.ts runs it against a real KMS.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { dataChannelsSuite } from './data-channels';
import { httpPostSuite } from './http-post';
import { hubsSuite } from './hubs';
import { overlayZbarSuite } from './overlay-zbar';
import { pipelineMonitorSuite } from './pipeline-monitor';
import { rtpEndpointSuite } from './rtp-endpoint';
import { conformanceSuite, type MediaServerTarget } from './scenarios';

// The hubs' scenarios wait on three browsers at once.
jest.setTimeout(120_000);

const external = process.env.CONFORMANCE_KMS_URL;
const mediaDir = external ? process.env.CONFORMANCE_MEDIA_DIR : mkdtempSync(join(tmpdir(), 'conformance-media-'));

describe('Kurento conformance: embedded media server', () => {
  let engine: EngineProcess | undefined;
  let target: MediaServerTarget;

  beforeAll(async () => {
    if (external) {
      target = { url: external, label: external, mediaDir };
      return;
    }
    engine = await EngineProcess.start(pino({ level: 'warn' }), {
      logLevel: 'warn',
      env: { ENGINE_MEDIA_DIR: mediaDir! },
    });
    target = { url: engine.url, label: 'embedded', mediaDir };
  });

  conformanceSuite(() => target);
  describe('data channels', () => dataChannelsSuite(() => target));
  describe('hubs', () => hubsSuite(() => target));
  describe('the live pipeline view', () => pipelineMonitorSuite(() => target));
  describe('RtpEndpoint', () => rtpEndpointSuite(() => target));
  describe('HttpPostEndpoint', () => httpPostSuite(() => target));
  if (mediaDir) describe('ImageOverlayFilter and ZBarFilter', () => overlayZbarSuite(() => target));
  else describe.skip('ImageOverlayFilter and ZBarFilter (set CONFORMANCE_MEDIA_DIR: they play files)', () => undefined);

  // NOTE: after the suite's own afterAll has closed its client (hooks run in the order they
  // are declared): the registry's reconnect-ws throws an uncaught ECONNREFUSED when a client
  // still open finds its media server gone.
  afterAll(async () => {
    await engine?.stop();
    if (!external && mediaDir) rmSync(mediaDir, { recursive: true, force: true });
  });
});
