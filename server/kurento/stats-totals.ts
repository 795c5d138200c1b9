// Totals over a KMS getStats answer, which has one entry per stream and direction (an SSRC
// each, audio and video apart): what an endpoint took in and gave out, whatever it carries.
// The session history's snapshots and the live pipeline's bitrates both start from these.

import type { KmsStats } from './client';

export interface StatsTotals {
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  lostIn: number;
}

export function statsTotals(stats: KmsStats[]): StatsTotals {
  const sum = (type: string, field: string): number =>
    stats.filter((s) => s.type === type).reduce((n, s) => n + (Number(s[field]) || 0), 0);
  return {
    bytesIn: sum('inboundrtp', 'bytesReceived'),
    bytesOut: sum('outboundrtp', 'bytesSent'),
    packetsIn: sum('inboundrtp', 'packetsReceived'),
    lostIn: sum('inboundrtp', 'packetsLost'),
  };
}
