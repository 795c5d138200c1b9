// The engine's REMB estimator and the VP8 keyframe parser, on synthetic packets.

import { ReceiverEstimatedMaxBitrate } from 'werift';
import {
  BandwidthEstimator,
  PeerEstimate,
  RembFeedback,
  ReceiveMeter,
  SINK_ESTIMATE_TTL_MS,
  START_BITRATE,
  rembFields,
} from '../../engine/rtp/bandwidth';
import { RtpFanout } from '../../engine/rtp/fanout';
import { vp8Keyframe } from '../../engine/rtp/vp8';

describe('ReceiveMeter', () => {
  test('measures bitrate and loss from sequence gaps, across the 16-bit wrap', () => {
    const meter = new ReceiveMeter();
    const t0 = Date.now();
    meter.take(t0);
    // 100 packets from 65500 through the wrap, every 10th missing.
    for (let i = 0; i < 100; i++) if (i % 10 !== 5) meter.add((65500 + i) & 0xffff, 1000);
    const sample = meter.take(t0 + 1000);
    expect(sample.loss).toBeCloseTo(0.1, 2);
    expect(sample.bitrate).toBeCloseTo(90 * 1000 * 8, -3);
  });

  test('late, reordered packets do not count as loss', () => {
    const meter = new ReceiveMeter();
    for (const seq of [1, 2, 4, 3, 5, 6]) meter.add(seq, 100);
    expect(meter.take().loss).toBe(0);
  });
});

describe('BandwidthEstimator', () => {
  const limits = { min: 0, max: 0 };
  test('grows while loss is low, in steps, and stays within reach of what arrives', () => {
    const e = new BandwidthEstimator(() => limits);
    const first = e.update({ bitrate: 1_400_000, loss: 0 });
    expect(first).toBeGreaterThan(START_BITRATE);
    let last = first;
    for (let i = 0; i < 50; i++) last = e.update({ bitrate: 1_400_000, loss: 0 });
    expect(last).toBeLessThanOrEqual(2 * 1_400_000);
  });

  test('holds under moderate loss and backs off to the received rate under heavy loss', () => {
    const e = new BandwidthEstimator(() => limits);
    const before = e.update({ bitrate: 1_000_000, loss: 0 });
    expect(e.update({ bitrate: 1_000_000, loss: 0.05 })).toBe(before);
    expect(e.update({ bitrate: 1_000_000, loss: 0.3 })).toBe(850_000);
  });

  test('respects the endpoint’s min and max receive bandwidth', () => {
    const capped = new BandwidthEstimator(() => ({ min: 0, max: 500_000 }));
    expect(capped.update({ bitrate: 2_000_000, loss: 0 })).toBe(500_000);
    const floored = new BandwidthEstimator(() => ({ min: 300_000, max: 0 }));
    expect(floored.update({ bitrate: 10_000, loss: 0.9 })).toBe(300_000);
  });
});

describe('estimates folded across sinks', () => {
  test('a sink’s estimate is held within its send limits and forgotten when it goes quiet', () => {
    const peer = new PeerEstimate();
    const limits = { min: 100_000, max: 500_000 };
    expect(peer.value(limits, 0)).toBe(0); // nothing heard yet: no opinion
    peer.record(300_000, 0);
    expect(peer.value(limits, 1000)).toBe(300_000);
    peer.record(20_000, 1000);
    expect(peer.value(limits, 1000)).toBe(100_000);
    peer.record(5_000_000, 1000);
    expect(peer.value(limits, 1000)).toBe(500_000);
    expect(peer.value({ min: 100_000, max: 0 }, 1000)).toBe(5_000_000);
    expect(peer.value(limits, 1000 + SINK_ESTIMATE_TTL_MS + 1)).toBe(0);
  });

  test('a fanout takes the least estimate, skips sinks with none, and survives a cycle', () => {
    const fanout = new RtpFanout('video', () => undefined);
    expect(fanout.sinkEstimate()).toBe(0);
    const a = {};
    const b = {};
    fanout.addEstimator(a, () => 800_000);
    fanout.addEstimator(b, () => 0);
    expect(fanout.sinkEstimate()).toBe(800_000);
    fanout.addEstimator(b, () => 300_000);
    expect(fanout.sinkEstimate()).toBe(300_000);
    fanout.removeEstimator(b);
    expect(fanout.sinkEstimate()).toBe(800_000);
    // A sink whose estimate asks this same fanout again (elements connected in a ring).
    fanout.addEstimator(b, () => fanout.sinkEstimate());
    expect(fanout.sinkEstimate()).toBe(800_000);
  });

  test('the REMB a publisher hears is the lesser of the estimate and its sinks’, never below the floor', () => {
    jest.useFakeTimers();
    try {
      const sent: number[] = [];
      let sinks = 0;
      const limits = { min: 0, max: 0 };
      const feedback = new RembFeedback(
        () => limits,
        (bps) => sent.push(bps),
        () => sinks,
      );
      feedback.onPacket(1, 1, 1000);
      expect(sent.at(-1)).toBe(START_BITRATE); // no sink has an opinion yet
      sinks = 300_000;
      jest.advanceTimersByTime(1000);
      expect(sent.at(-1)).toBe(300_000);
      sinks = 10_000; // below REMB's own floor (KMS's REMB_MIN)
      jest.advanceTimersByTime(1000);
      expect(sent.at(-1)).toBe(30_000);
      limits.min = 200_000; // minVideoRecvBandwidth wins over the sinks
      jest.advanceTimersByTime(1000);
      expect(sent.at(-1)).toBe(200_000);
      feedback.close();
    } finally {
      jest.useRealTimers();
    }
  });
});

test('REMB bitrate fields survive werift’s serialisation', () => {
  for (const bps of [30_000, 1_234_567, 8_000_000]) {
    const remb = new ReceiverEstimatedMaxBitrate({
      senderSsrc: 1,
      mediaSsrc: 0,
      ssrcNum: 1,
      ssrcFeedbacks: [42],
      ...rembFields(bps),
    });
    const parsed = ReceiverEstimatedMaxBitrate.deSerialize(remb.serialize());
    expect(Number(parsed.bitrate)).toBeLessThanOrEqual(bps);
    expect(Number(parsed.bitrate)).toBeGreaterThan(bps * 0.999);
    expect(parsed.ssrcFeedbacks).toEqual([42]);
  }
});

describe('vp8Keyframe', () => {
  const keyframe = (descriptor: number[]): Buffer =>
    Buffer.from([...descriptor, 0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01, 0x00]);

  test('reads the size of a keyframe, with and without the extended descriptor', () => {
    expect(vp8Keyframe(keyframe([0x10]))).toEqual({ width: 640, height: 480 });
    // X, I with a 15-bit picture id, L, T/K.
    expect(vp8Keyframe(keyframe([0x90, 0xf0, 0x81, 0x23, 0x05, 0x40]))).toEqual({ width: 640, height: 480 });
  });

  test('ignores inter frames and continuation packets', () => {
    const inter = keyframe([0x10]);
    inter[1] = 0x51; // frame tag P bit set
    expect(vp8Keyframe(inter)).toBeUndefined();
    expect(vp8Keyframe(keyframe([0x00]))).toBeUndefined(); // not the start of a partition
  });
});
