// The conformance suite against a real Kurento Media Server 7, started by testcontainers.
// This runs outside the loopback-only namespace (scripts/test.sh), because the browser must
// reach the container's network. Without Docker it skips and says why.

import type { StartedTestContainer } from 'testcontainers';
import { dataChannelsSuite } from '../conformance/data-channels';
import { hubsSuite } from '../conformance/hubs';
import { pipelineMonitorSuite } from '../conformance/pipeline-monitor';
import { conformanceSuite, type MediaServerTarget } from '../conformance/scenarios';
import { wireSuite } from '../conformance/wire';
import { describeWithDocker, kmsBaseImage } from '../helpers/docker';

// The hubs' scenarios wait on three browsers at once.
jest.setTimeout(120_000);

// The official image as it is: the conformance suite needs no add-on module.
const KMS_IMAGE = kmsBaseImage();

describeWithDocker(`Kurento conformance: real KMS (${KMS_IMAGE}, testcontainers)`, () => {
  let container: StartedTestContainer | undefined;
  let target: MediaServerTarget;

  beforeAll(async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    container = await new GenericContainer(KMS_IMAGE)
      .withExposedPorts(8888)
      .withWaitStrategy(Wait.forListeningPorts())
      .withStartupTimeout(120_000)
      .start();
    target = { url: `ws://${container.getHost()}:${container.getMappedPort(8888)}/kurento`, label: KMS_IMAGE };
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  conformanceSuite(() => target);
  describe('data channels', () => dataChannelsSuite(() => target));
  describe('hubs', () => hubsSuite(() => target));
  describe('the live pipeline view', () => pipelineMonitorSuite(() => target));
  // NOTE: not the RtpEndpoint and HttpPostEndpoint suites: the container's KMS announces its
  // own addresses (RTP, getUrl), which this host reaches only through the mapped control
  // port; nor the ImageOverlayFilter and ZBarFilter one, whose files the container cannot
  // read. Run them with CONFORMANCE_KMS_URL (and CONFORMANCE_MEDIA_DIR) against a KMS on
  // this host.
  describe('on the wire', () => wireSuite(() => target.url));
});
