// The stats snapshots' arithmetic: KMS counters are cumulative, snapshots are per interval.
// The endpoint is a stand-in whose counters the test sets, so loss can be injected exactly.

import { StatsSampler } from '../../server/sessions/history';
import type { WebRtcEndpoint } from '../../server/kurento/client';

function endpointWith(counters: () => { received: number; lost: number; bytes: number; rtt?: number }): WebRtcEndpoint {
  return {
    getStats: async (kind: string) => {
      const c = counters();
      if (kind !== 'VIDEO') return {};
      return {
        in: { type: 'inboundrtp', bytesReceived: c.bytes, packetsReceived: c.received, packetsLost: c.lost },
        out: { type: 'outboundrtp', bytesSent: 0, ...(c.rtt === undefined ? {} : { roundTripTime: c.rtt }) },
        track: { type: 'track', frameWidth: 640, frameHeight: 480 },
      };
    },
  } as unknown as WebRtcEndpoint;
}

describe('stats snapshots', () => {
  test('loss is the share of the interval’s expected packets that were lost', async () => {
    let c = { received: 100, lost: 0, bytes: 10_000, rtt: 0.02 };
    const sampler = new StatsSampler();
    const endpoint = endpointWith(() => c);
    expect(await sampler.sample(endpoint)).toBeUndefined(); // the first sample only sets the base
    c = { received: 190, lost: 10, bytes: 20_000, rtt: 0.02 };
    const snapshot = await sampler.sample(endpoint);
    expect(snapshot?.packetLoss).toBeCloseTo(0.1, 5);
    expect(snapshot?.rttMs).toBe(20);
    expect([snapshot?.width, snapshot?.height]).toEqual([640, 480]);
  });

  test('an unmeasured round trip is left out, not stored as 0 ms', async () => {
    let c: { received: number; lost: number; bytes: number; rtt?: number } = { received: 10, lost: 0, bytes: 1000 };
    const sampler = new StatsSampler();
    const endpoint = endpointWith(() => c);
    await sampler.sample(endpoint);
    c = { received: 20, lost: 0, bytes: 2000 };
    const snapshot = await sampler.sample(endpoint);
    expect(snapshot?.packetLoss).toBe(0);
    expect(snapshot).not.toHaveProperty('rttMs');
  });
});
