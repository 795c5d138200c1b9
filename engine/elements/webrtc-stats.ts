// WebRtcEndpoint.getStats in KMS's shapes (core.kmd.json's RTC*Stats complex types), made
// from werift's W3C stats report plus what the engine itself knows: the REMB it announces,
// the REMB its peer reported, and the frames and resolution it saw while forwarding.

import type { RtpFanout, MediaKind } from '../rtp/fanout';

type W3cStats = Record<string, unknown> & { id: string; type: string; kind?: string; ssrc?: number };
type KmsStats = Record<string, unknown>;

export interface StatsContext {
  /** Which kinds to report; KMS's getStats(mediaType) filter. */
  kinds: MediaKind[];
  /** REMB this endpoint announces to its peer, bps. */
  rembOut: number;
  /** REMB the peer announced per kind we send, bps. */
  rembIn: (kind: MediaKind) => number;
  /** This endpoint's outputs (what the peer sends us). */
  outputs: Map<MediaKind, RtpFanout>;
  /** The endpoint's own id, for the EndpointStats entry. */
  elementId: string;
}

function base(type: string, kmsType: string, id: string, now: number): KmsStats {
  return { __module__: 'kurento', __type__: kmsType, id, type, timestampMillis: now };
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export function toKmsStats(report: Iterable<W3cStats>, ctx: StatsContext, now = Date.now()): Record<string, KmsStats> {
  const all = [...report];
  const byId = new Map(all.map((s) => [s.id, s]));
  const out: Record<string, KmsStats> = {};
  const wanted = (kind: unknown): boolean => ctx.kinds.includes(kind as MediaKind);

  for (const s of all) {
    if (s.type === 'inbound-rtp' && wanted(s.kind)) {
      const kind = s.kind as MediaKind;
      out[s.id] = {
        ...base('inboundrtp', 'RTCInboundRTPStreamStats', s.id, now),
        ssrc: String(s.ssrc ?? ''),
        associateStatsId: '',
        isRemote: false,
        mediaTrackId: String(s.trackIdentifier ?? ''),
        transportId: String(s.transportId ?? ''),
        codecId: String(s.codecId ?? ''),
        firCount: num(s.firCount),
        pliCount: num(s.pliCount),
        nackCount: num(s.nackCount),
        sliCount: 0,
        remb: kind === 'video' ? ctx.rembOut : 0,
        packetsLost: num(s.packetsLost),
        fractionLost: lossFraction(num(s.packetsLost), num(s.packetsReceived)),
        packetsReceived: num(s.packetsReceived),
        bytesReceived: num(s.bytesReceived),
        jitter: num(s.jitter),
        kind,
      };
      const fanout = ctx.outputs.get(kind);
      if (kind === 'video' && fanout) out[`${s.id}-track`] = trackStats(`${s.id}-track`, fanout, now);
    } else if (s.type === 'outbound-rtp' && wanted(s.kind)) {
      const kind = s.kind as MediaKind;
      const remote = typeof s.remoteId === 'string' ? byId.get(s.remoteId) : undefined;
      out[s.id] = {
        ...base('outboundrtp', 'RTCOutboundRTPStreamStats', s.id, now),
        ssrc: String(s.ssrc ?? ''),
        associateStatsId: remote?.id ?? '',
        isRemote: false,
        mediaTrackId: String(s.mediaSourceId ?? ''),
        transportId: String(s.transportId ?? ''),
        codecId: String(s.codecId ?? ''),
        firCount: num(s.firCount),
        pliCount: num(s.pliCount),
        nackCount: num(s.nackCount),
        sliCount: 0,
        remb: ctx.rembIn(kind),
        packetsLost: num(remote?.packetsLost),
        fractionLost: num(remote?.fractionLost),
        packetsSent: num(s.packetsSent),
        bytesSent: num(s.bytesSent),
        targetBitrate: ctx.rembIn(kind),
        // Absent until a receiver report has measured it. On loopback the measure can come out
        // a few µs below zero (NTP's 1/65536 s steps): that is "below resolution", so 0.
        ...(typeof remote?.roundTripTime === 'number' ? { roundTripTime: Math.max(0, remote.roundTripTime) } : {}),
        kind,
      };
    } else if (s.type === 'transport') {
      out[s.id] = {
        ...base('transport', 'RTCTransportStats', s.id, now),
        bytesSent: num(s.bytesSent),
        bytesReceived: num(s.bytesReceived),
        rtcpTransportStatsId: '',
        activeConnection: s.dtlsState === 'connected',
        selectedCandidatePairId: String(s.selectedCandidatePairId ?? ''),
        localCertificateId: String(s.localCertificateId ?? ''),
        remoteCertificateId: String(s.remoteCertificateId ?? ''),
      };
    } else if (s.type === 'candidate-pair') {
      out[s.id] = {
        ...base('candidatepair', 'RTCIceCandidatePairStats', s.id, now),
        transportId: String(s.transportId ?? ''),
        localCandidateId: String(s.localCandidateId ?? ''),
        remoteCandidateId: String(s.remoteCandidateId ?? ''),
        state: pairState(s.state),
        priority: num(s.priority),
        nominated: s.nominated === true,
        writable: s.state === 'succeeded',
        readable: s.state === 'succeeded',
        bytesSent: num(s.bytesSent),
        bytesReceived: num(s.bytesReceived),
        roundTripTime: num(s.currentRoundTripTime),
        availableOutgoingBitrate: num(s.availableOutgoingBitrate),
        availableIncomingBitrate: ctx.rembOut,
      };
    }
  }
  out[`${ctx.elementId}-endpoint`] = {
    ...base('endpoint', 'EndpointStats', `${ctx.elementId}-endpoint`, now),
    // Pass-through adds no processing latency worth measuring.
    inputLatency: [],
    E2ELatency: [],
  };
  return out;
}

function trackStats(id: string, fanout: RtpFanout, now: number): KmsStats {
  return {
    ...base('track', 'RTCMediaStreamTrackStats', id, now),
    trackIdentifier: id,
    remoteSource: true,
    ssrcIds: [],
    frameWidth: fanout.width,
    frameHeight: fanout.height,
    framesPerSecond: fanout.takeFrameRate(now),
    framesSent: 0,
    framesReceived: fanout.frames,
    framesDecoded: 0,
    framesDropped: 0,
    framesCorrupted: 0,
    audioLevel: 0,
    echoReturnLoss: 0,
    echoReturnLossEnhancement: 0,
  };
}

function lossFraction(lost: number, received: number): number {
  const expected = lost + received;
  return expected > 0 ? Math.max(0, lost) / expected : 0;
}

function pairState(state: unknown): string {
  const map: Record<string, string> = {
    frozen: 'frozen',
    waiting: 'waiting',
    'in-progress': 'inprogress',
    failed: 'failed',
    succeeded: 'succeeded',
  };
  return map[String(state)] ?? 'frozen';
}
