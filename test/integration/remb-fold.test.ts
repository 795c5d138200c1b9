// Bandwidth feedback folded across sinks: what a source WebRtcEndpoint tells its publisher
// (REMB) is held to what its slowest viewer can take, within each sink's send limits, as
// KMS's REMB event manager does. Driven by the registry's kurento-client, with headless
// werift peers so that each viewer's estimate is exact.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import { HeadlessPeer, negotiate } from '../../scripts/lib/headless-peer';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { eventually } from '../helpers/app';
import { call, connect, disconnect, negotiable } from '../helpers/kurento';
import pino from 'pino';

describe('REMB folded across sinks', () => {
  let engine: EngineProcess;
  let client: any;
  const peers: HeadlessPeer[] = [];
  const timers: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    engine = await EngineProcess.start(pino({ level: 'silent' }), { logLevel: 'warn' });
    client = await connect(engine.url);
  });

  afterEach(async () => {
    timers.splice(0).forEach((t) => clearInterval(t));
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });

  afterAll(async () => {
    if (client) await disconnect(client);
    await engine?.stop();
  });

  /** A viewer of `source` that keeps saying it can take `estimate.bps` (changed as the test goes). */
  async function viewerOf(pipeline: any, source: any, bps: number): Promise<{ sink: any; estimate: { bps: number } }> {
    const sink = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    await call(source, 'connect', sink);
    const viewer = HeadlessPeer.viewer();
    peers.push(viewer);
    await negotiate(viewer, negotiable(sink));
    const video = viewer.pc.getTransceivers().find((t) => t.kind === 'video')!;
    await eventually(
      () => video.receiver.tracks[0]?.ssrc,
      (ssrc) => ssrc !== undefined,
      10_000,
      'the viewer to receive video',
    );
    const estimate = { bps };
    const announce = (): void => void viewer.announceBandwidth(estimate.bps).catch(() => undefined);
    announce();
    timers.push(setInterval(announce, 300));
    return { sink, estimate };
  }

  /** A publisher on a new source endpoint, and a wait for the REMB it hears. */
  async function publishing(pipeline: any) {
    const source = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const publisher = HeadlessPeer.publisher();
    peers.push(publisher);
    await negotiate(publisher, negotiable(source));
    publisher.startSending(1_000_000, 15);
    const sender = publisher.pc.getTransceivers().find((t) => t.kind === 'video')!.sender;
    const remb = (ok: (bps: number) => boolean, what: string): Promise<number> =>
      eventually(() => Number(sender.receiverEstimatedMaxBitrate), ok, 15_000, `the publisher to be told ${what}`);
    return { source, remb };
  }

  /** REMB's 18-bit mantissa rounds large figures down: `near` allows 1 %. */
  const near = (target: number) => (bps: number) => Math.abs(bps - target) <= target * 0.01;

  test('the publisher follows its slowest sink, the floor holds, and a released sink is forgotten', async () => {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    try {
      const { source, remb } = await publishing(pipeline);
      const fast = await viewerOf(pipeline, source, 5_000_000);
      // The fast viewer's 5 Mbps is held to its sink's default ceiling, 500 kbps (KMS's).
      await remb(near(500_000), 'the default maxVideoSendBandwidth, 500 kbps');
      await call(fast.sink, 'setMaxVideoSendBandwidth', 0);
      await remb((bps) => bps > 600_000, 'more than 500 kbps once the ceiling is lifted');

      const slow = await viewerOf(pipeline, source, 300_000);
      await remb(near(300_000), 'the slow viewer’s 300 kbps');
      // A viewer that can take almost nothing cannot drag the others below its floor.
      slow.estimate.bps = 20_000;
      await remb(near(100_000), 'the default minVideoSendBandwidth, 100 kbps');
      await call(slow.sink, 'setMinVideoSendBandwidth', 200);
      expect(await call(slow.sink, 'getMinVideoSendBandwidth')).toBe(200);
      await remb(near(200_000), 'the raised floor, 200 kbps');

      await call(slow.sink, 'release');
      await remb((bps) => bps > 600_000, 'the fast viewer’s rate again once the slow sink is gone');
    } finally {
      await call(pipeline, 'release');
    }
  }, 90_000);

  test('a PassThrough between the source and its sinks passes their estimates on', async () => {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    try {
      const { source, remb } = await publishing(pipeline);
      const passThrough = await call<any>(pipeline, 'create', 'PassThrough');
      await call(source, 'connect', passThrough);
      await viewerOf(pipeline, passThrough, 250_000);
      await remb(near(250_000), 'the viewer’s 250 kbps through the PassThrough');
    } finally {
      await call(pipeline, 'release');
    }
  }, 60_000);
});
