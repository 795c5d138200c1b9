// NACK answered by the media server: a viewer that reports a packet lost gets it again from
// the engine's send cache, without the publisher being asked. Headless werift peers, so the
// test can name the exact packet.

import pino from 'pino';
import { GenericNack, RtcpTransportLayerFeedback } from 'werift';
import { MediaServerConnection } from '../../server/kurento/client';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { HeadlessPeer, negotiate } from '../../scripts/lib/headless-peer';
import { eventually } from '../helpers/app';

describe('NACK', () => {
  let engine: EngineProcess;
  let kms: MediaServerConnection;
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    engine = await EngineProcess.start(log, { logLevel: 'warn' });
    kms = new MediaServerConnection(engine.url, log);
    await eventually(
      () => kms.state,
      (s) => s === 'ready',
    );
  });

  afterAll(async () => {
    await kms?.close();
    await engine?.stop();
  });

  test('a packet a viewer reports lost is retransmitted by the engine, not requested from the publisher', async () => {
    const pipeline = await kms.createPipeline();
    const publisher = HeadlessPeer.publisher();
    const viewer = HeadlessPeer.viewer();
    try {
      const video = viewer.pc.getTransceivers().find((t) => t.kind === 'video')!;
      const seen = new Map<number, number>();
      let mediaSsrc = 0;
      video.onTrack.subscribe((track) =>
        track.onReceiveRtp.subscribe((p) => {
          mediaSsrc = p.header.ssrc;
          seen.set(p.header.sequenceNumber, (seen.get(p.header.sequenceNumber) ?? 0) + 1);
        }),
      );
      let nacksAtPublisher = 0;
      let rtcpAtPublisher = 0;
      const publisherVideo = publisher.pc.getTransceivers().find((t) => t.kind === 'video')!.sender;
      publisherVideo.onGenericNack.subscribe(() => nacksAtPublisher++);
      publisherVideo.onRtcp.subscribe(() => rtcpAtPublisher++);

      const [source, sink] = await Promise.all([pipeline.createWebRtcEndpoint(), pipeline.createWebRtcEndpoint()]);
      await source.connect(sink);
      await negotiate(publisher, source);
      await negotiate(viewer, sink);
      publisher.startSending(300_000, 15);
      await eventually(
        () => seen.size,
        (n) => n > 20,
      );

      const target = [...seen.keys()][10]!;
      await video.receiver.dtlsTransport.sendRtcp([
        new RtcpTransportLayerFeedback({
          feedback: new GenericNack({ senderSsrc: video.receiver.rtcpSsrc, mediaSourceSsrc: mediaSsrc, lost: [target] }),
        }),
      ]);
      const rtcpWhenAsked = rtcpAtPublisher;
      const copies = await eventually(
        () => seen.get(target) ?? 0,
        (n) => n >= 2,
      );
      expect(copies).toBe(2);
      // A NACK passed upstream would reach the publisher along with the media server's other
      // feedback (REMB, receiver reports, once a second): wait until several more of those
      // have arrived, then check that no NACK came with them.
      await eventually(
        () => rtcpAtPublisher,
        (n) => n >= rtcpWhenAsked + 3,
        10_000,
        'the media server’s feedback to reach the publisher after the NACK',
      );
      expect(nacksAtPublisher).toBe(0);
    } finally {
      await pipeline.release();
      await Promise.all([publisher.close(), viewer.close()]);
    }
  });
});
