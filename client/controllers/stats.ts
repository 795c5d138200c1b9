// Live call quality from RTCPeerConnection.getStats(), sampled once a second: bitrate both
// ways, packet loss, round-trip time, the received video's resolution and frame rate (and the
// sent video's, for a sender), and the ICE route the connection chose.

export interface StatsSample {
  at: number;
  inboundKbps: number;
  outboundKbps: number;
  packetLossPercent: number;
  rttMs: number | undefined;
  width: number;
  height: number;
  framesPerSecond: number;
  framesDecoded: number;
  /** The video this connection sends (zero for a receive-only one). */
  sent: { width: number; height: number; framesPerSecond: number };
  /** How the selected candidate pair reaches the media server. */
  route: IceRoute | undefined;
}

/** The three ways WebRTC connects: directly, through a STUN-found address, or through TURN. */
export type IceRoute = 'host' | 'srflx' | 'relay';

/** The route of a pair: relayed if either side relays, else STUN-mapped if either side is. */
function routeOf(local: string | undefined, remote: string | undefined): IceRoute | undefined {
  if (!local || !remote) return undefined;
  if (local === 'relay' || remote === 'relay') return 'relay';
  if (local === 'host' && remote === 'host') return 'host';
  return 'srflx';
}

interface Totals {
  at: number;
  inBytes: number;
  outBytes: number;
  received: number;
  lost: number;
}

export class StatsSampler {
  private readonly pc: RTCPeerConnection;
  private readonly onSample: (sample: StatsSample) => void;
  private timer: ReturnType<typeof setInterval> | undefined;
  private last: Totals | undefined;

  constructor(pc: RTCPeerConnection, onSample: (sample: StatsSample) => void) {
    this.pc = pc;
    this.onSample = onSample;
  }

  start(intervalMs = 1000): void {
    this.stop();
    this.timer = setInterval(() => void this.sample(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.last = undefined;
  }

  private async sample(): Promise<void> {
    if (this.pc.connectionState === 'closed') return this.stop();
    const report = await this.pc.getStats();
    const now: Totals = { at: performance.now(), inBytes: 0, outBytes: 0, received: 0, lost: 0 };
    let video: Record<string, number> = {};
    let sentVideo: Record<string, number> = {};
    let rttMs: number | undefined;
    let pair: Record<string, unknown> | undefined;
    const candidateTypes = new Map<string, string>();
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp') {
        now.inBytes += Number(s.bytesReceived ?? 0);
        now.received += Number(s.packetsReceived ?? 0);
        now.lost += Math.max(0, Number(s.packetsLost ?? 0));
        if (s.kind === 'video') video = s as Record<string, number>;
      } else if (s.type === 'outbound-rtp') {
        now.outBytes += Number(s.bytesSent ?? 0);
        if (s.kind === 'video') sentVideo = s as Record<string, number>;
      } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
        pair = s;
        if (typeof s.currentRoundTripTime === 'number') rttMs = s.currentRoundTripTime * 1000;
      } else if (s.type === 'local-candidate' || s.type === 'remote-candidate') {
        candidateTypes.set(String(s.id), String(s.candidateType));
      }
    });
    // The transport names the pair in use; a nominated, succeeded pair stands in without one.
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(String(s.selectedCandidatePairId)) ?? pair;
    });
    const route = routeOf(
      candidateTypes.get(String(pair?.localCandidateId)),
      candidateTypes.get(String(pair?.remoteCandidateId)),
    );
    const prev = this.last;
    this.last = now;
    if (!prev) return;
    const seconds = (now.at - prev.at) / 1000;
    const received = now.received - prev.received;
    const lost = now.lost - prev.lost;
    this.onSample({
      at: Date.now(),
      inboundKbps: ((now.inBytes - prev.inBytes) * 8) / 1000 / seconds,
      outboundKbps: ((now.outBytes - prev.outBytes) * 8) / 1000 / seconds,
      packetLossPercent: received + lost > 0 ? (100 * lost) / (received + lost) : 0,
      rttMs,
      width: video.frameWidth ?? 0,
      height: video.frameHeight ?? 0,
      framesPerSecond: video.framesPerSecond ?? 0,
      framesDecoded: video.framesDecoded ?? 0,
      sent: {
        width: sentVideo.frameWidth ?? 0,
        height: sentVideo.frameHeight ?? 0,
        framesPerSecond: sentVideo.framesPerSecond ?? 0,
      },
      route,
    });
  }
}
