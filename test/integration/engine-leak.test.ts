// A long test: 200 create/negotiate/connect/release cycles with browser-like peers (werift,
// sending a synthetic VP8 + Opus stream) must leave the embedded media server's memory and
// handle counts flat, and no pipeline behind. Half the viewers answer the media server's
// offer, half offer themselves, so both negotiation paths are covered.

import pino from 'pino';
import { MediaServerConnection } from '../../server/kurento/client';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { HeadlessPeer, negotiate } from '../../scripts/lib/headless-peer';
import { usage, type Usage } from '../../scripts/lib/proc';
import { eventually } from '../helpers/app';

const CYCLES = Number(process.env.LEAK_CYCLES ?? 200);
const WARM_UP = Math.max(1, Math.min(20, Math.floor(CYCLES / 10)));

describe('embedded media server resources over many sessions', () => {
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
    kms?.close();
    await engine?.stop();
  });

  test(`${CYCLES} cycles leave memory and handles flat`, async () => {
    const pid = engine.pid!;
    let baseline: Usage | undefined;
    let ownBaseline: Usage | undefined;
    for (let i = 0; i < CYCLES; i++) {
      const pipeline = await kms.createPipeline();
      const publisher = HeadlessPeer.publisher();
      const viewer = HeadlessPeer.viewer();
      try {
        const [source, sink] = await Promise.all([pipeline.createWebRtcEndpoint(), pipeline.createWebRtcEndpoint()]);
        await source.connect(sink);
        await negotiate(publisher, source);
        await negotiate(viewer, sink, i % 2 === 0 ? 'peer' : 'endpoint');
        publisher.startSending(300_000, 15);
        const got = await eventually(
          () => viewer.received.packets,
          (n) => n > 0,
        );
        expect(got).toBeGreaterThan(0);
      } finally {
        await pipeline.release();
        await Promise.all([publisher.close(), viewer.close()]);
      }
      if (i === WARM_UP - 1) {
        baseline = usage(pid);
        ownBaseline = usage('self');
      }
    }
    // Let the media server finish closing the sockets of the last cycles.
    const after = await eventually(
      () => usage(pid),
      (u) => u.fds <= baseline!.fds + 2,
    );
    const own = usage('self');
    console.log(
      `engine after ${WARM_UP} cycles: ${baseline!.rssMiB.toFixed(1)} MiB RSS, ${baseline!.fds} fds; ` +
        `after ${CYCLES}: ${after.rssMiB.toFixed(1)} MiB RSS, ${after.fds} fds (test process: ${ownBaseline!.fds} → ${own.fds} fds)`,
    );
    expect(await kms.pipelineIds()).toEqual([]);
    expect(after.fds).toBeLessThanOrEqual(baseline!.fds + 2);
    expect(own.fds).toBeLessThanOrEqual(ownBaseline!.fds + 2);
    // The heap grows and shrinks with GC; a leaked peer connection per cycle would add well
    // over 40 MiB across 180 cycles.
    expect(after.rssMiB - baseline!.rssMiB).toBeLessThan(40);
  }, 600_000);
});
