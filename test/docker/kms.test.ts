// The conformance suite against a real Kurento Media Server 7, started by testcontainers.
// This runs outside the loopback-only namespace (scripts/test.sh), because the browser must
// reach the container's network. Without Docker it skips and says why.

import type { StartedTestContainer } from 'testcontainers';
import { conformanceSuite, type MediaServerTarget } from '../conformance/scenarios';
import { wireSuite } from '../conformance/wire';
import { describeWithDocker } from '../helpers/docker';

export const KMS_IMAGE = 'kurento/kurento-media-server:7.2.0';

describeWithDocker('Kurento conformance: real KMS 7 (testcontainers)', () => {
  let container: StartedTestContainer | undefined;
  let target: MediaServerTarget;

  beforeAll(async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    container = await new GenericContainer(KMS_IMAGE)
      .withExposedPorts(8888)
      .withWaitStrategy(Wait.forListeningPorts())
      .withStartupTimeout(120_000)
      .start();
    target = { url: `ws://${container.getHost()}:${container.getMappedPort(8888)}/kurento`, label: 'KMS 7.2.0' };
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  conformanceSuite(() => target);
  describe('on the wire', () => wireSuite(() => target.url));
});
