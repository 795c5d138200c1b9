// A browser-like WebRTC peer in Node, on werift: for load generators, benchmarks and long
// tests where a Chromium page per peer would cost too much. A publisher sends a synthetic
// VP8 + Opus stream at a set bitrate (a keyframe on start, every 3 s and on PLI, with a send
// timestamp in every packet); a viewer receives and measures bitrate, loss and delay. A
// counting viewer finishes ICE and DTLS like any other, then only counts the SRTP packets by
// their clear headers (sequence numbers, sizes) and decrypts nothing: a load generator that
// costs far less than the media server it loads, on a machine with few cores.

import { performance } from 'node:perf_hooks';
import {
  MediaStreamTrack,
  ProtectionProfileAeadAes128Gcm,
  RTCPeerConnection,
  ReceiverEstimatedMaxBitrate,
  RTCRtpCodecParameters,
  RtcpPayloadSpecificFeedback,
  RtpHeader,
  RtpPacket,
  useNACK,
  usePLI,
  useREMB,
  type RTCRtpTransceiver,
} from 'werift';
import { BandwidthEstimator, ReceiveMeter, rembFields } from '../../engine/rtp/bandwidth';
import { vp8Keyframe } from '../../engine/rtp/vp8';

/** Wall-clock ms with sub-ms precision, comparable across the processes of one machine. */
export const clockMs = (): number => performance.timeOrigin + performance.now();

export type Candidate = { candidate: string; sdpMid?: string; sdpMLineIndex?: number };

const VIDEO_PT = 96;
const AUDIO_PT = 111;
const MTU_PAYLOAD = 1100;
const KEYFRAME_EVERY_MS = 3000;

export interface ReceiveStats {
  bytes: number;
  packets: number;
  /** Video keyframes begun (decrypting viewers only). */
  keyframes: number;
  /** Packets the viewer's link limit dropped (also counted in `lost`). */
  dropped: number;
  /** Packets missing from the sequence (net of late arrivals). */
  lost: number;
  /** One-way delay samples in ms, publisher send to viewer receive. */
  delays: number[];
}

export class HeadlessPeer {
  readonly pc: RTCPeerConnection;
  private readonly candidateListeners: ((c: Candidate) => void)[] = [];
  private timers: NodeJS.Timeout[] = [];
  private videoTrack: MediaStreamTrack | undefined;
  private audioTrack: MediaStreamTrack | undefined;
  private wantKeyframe = true;
  /** Keyframe requests (PLI) a publisher has heard. */
  keyframeRequests = 0;
  readonly received: ReceiveStats = { bytes: 0, packets: 0, keyframes: 0, dropped: 0, lost: 0, delays: [] };
  /** Video payload bytes a publisher has sent. */
  sentVideoBytes = 0;
  /** A viewer's link: packets beyond this rate (bps) are dropped before they count. */
  private link: { bps: number; tokens: number; at: number } | undefined;
  /** A viewer that reports its bandwidth meters the video it lets through. */
  private videoMeter: ReceiveMeter | undefined;
  /** Keep one delay sample in this many packets, to bound memory in long runs. */
  delaySampling = 10;

  private constructor(
    readonly role: 'publisher' | 'viewer',
    /** A viewer that counts SRTP packets without decrypting them (no delay samples). */
    private readonly counting = false,
  ) {
    this.pc = new RTCPeerConnection({
      iceServers: [],
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      // One transport for audio and video; werift leaks the extra sockets otherwise.
      bundlePolicy: 'max-bundle',
      codecs: {
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: AUDIO_PT })],
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/VP8',
            clockRate: 90000,
            payloadType: VIDEO_PT,
            rtcpFeedback: [useNACK(), usePLI(), useREMB()],
          }),
        ],
      },
    });
    this.pc.onIceCandidate.subscribe((c) => {
      if (c)
        this.candidateListeners.forEach((l) => l({ candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex }));
    });
    if (role === 'publisher') {
      this.videoTrack = new MediaStreamTrack({ kind: 'video' });
      this.audioTrack = new MediaStreamTrack({ kind: 'audio' });
      const video = this.pc.addTransceiver(this.videoTrack, { direction: 'sendonly' });
      this.pc.addTransceiver(this.audioTrack, { direction: 'sendonly' });
      video.sender.onPictureLossIndication.subscribe(() => {
        this.wantKeyframe = true;
        this.keyframeRequests++;
      });
    } else {
      for (const kind of ['video', 'audio'] as const) this.watch(this.pc.addTransceiver(kind, { direction: 'recvonly' }));
    }
  }

  static publisher(): HeadlessPeer {
    return new HeadlessPeer('publisher');
  }

  static viewer(options: { decrypt?: boolean } = {}): HeadlessPeer {
    return new HeadlessPeer('viewer', options.decrypt === false);
  }

  onCandidate(listener: (c: Candidate) => void): void {
    this.candidateListeners.push(listener);
  }

  async createOffer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    if (this.counting) this.countInsteadOfDecrypting();
    return this.pc.localDescription!.sdp;
  }

  async setAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  /** Answers an offer made by the media server. */
  async answer(offer: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    return this.pc.localDescription!.sdp;
  }

  async addCandidate(c: Candidate): Promise<void> {
    await this.pc.addIceCandidate(c);
  }

  /**
   * A viewer tells the media server how much video it can take: a REMB about the video it
   * receives, as a browser's receive-side estimator sends one.
   */
  async announceBandwidth(bps: number): Promise<void> {
    const video = this.pc.getTransceivers().find((t) => t.kind === 'video');
    const ssrc = video?.receiver.tracks[0]?.ssrc;
    if (!video || ssrc === undefined) throw new Error('no video received yet to announce a bandwidth for');
    const feedback = new ReceiverEstimatedMaxBitrate({
      senderSsrc: video.receiver.rtcpSsrc,
      mediaSsrc: 0,
      ssrcNum: 1,
      ssrcFeedbacks: [ssrc],
      bitrate: BigInt(Math.floor(bps)),
      ...rembFields(bps),
    });
    await video.receiver.dtlsTransport.sendRtcp([new RtcpPayloadSpecificFeedback({ feedback })]);
  }

  /**
   * Starts the synthetic stream: `bitrate` bps of video at `fps`, plus 50 Opus packets/s.
   * `followRemb` holds the video to the REMB the media server announces, as a browser's
   * encoder follows its bandwidth estimate.
   */
  startSending(bitrate = 1_000_000, fps = 30, options: { followRemb?: boolean } = {}): void {
    const video = this.videoTrack;
    const audio = this.audioTrack;
    if (!video || !audio) throw new Error('only a publisher sends');
    let vSeq = 0;
    let aSeq = 0;
    let lastKeyframe = 0;
    const sender = this.pc.getTransceivers().find((t) => t.kind === 'video')!.sender;
    const frameBytes = (): number => {
      const remb = Number(sender.receiverEstimatedMaxBitrate);
      const target = options.followRemb && remb > 0 ? Math.min(bitrate, remb) : bitrate;
      return Math.max(200, Math.round(target / 8 / fps));
    };
    const start = clockMs();
    this.timers.push(
      setInterval(() => {
        const now = clockMs();
        const key = this.wantKeyframe || now - lastKeyframe > KEYFRAME_EVERY_MS;
        if (key) {
          this.wantKeyframe = false;
          lastKeyframe = now;
        }
        const timestamp = Math.round((now - start) * 90) >>> 0;
        const size = key ? frameBytes() * 3 : frameBytes();
        this.sentVideoBytes += size;
        for (let offset = 0; offset < size; offset += MTU_PAYLOAD) {
          const length = Math.min(MTU_PAYLOAD, size - offset);
          const payload = vp8Payload(offset === 0, key && offset === 0, Math.max(length, 24), now);
          const header = new RtpHeader({
            payloadType: VIDEO_PT,
            sequenceNumber: vSeq++ & 0xffff,
            timestamp,
            marker: offset + length >= size,
          });
          video.writeRtp(new RtpPacket(header, payload));
        }
      }, 1000 / fps),
      setInterval(() => {
        const now = clockMs();
        const payload = Buffer.alloc(80);
        payload.writeDoubleBE(now, payload.length - 8);
        const header = new RtpHeader({
          payloadType: AUDIO_PT,
          sequenceNumber: aSeq++ & 0xffff,
          timestamp: Math.round((now - start) * 48) >>> 0,
          marker: false,
        });
        audio.writeRtp(new RtpPacket(header, payload));
      }, 20),
    );
  }

  /**
   * A viewer behind a link of `bps`: what exceeds it is dropped (a token bucket holding a
   * quarter second), as a congested access link would. Retransmission is not modelled.
   */
  limitLink(bps: number): void {
    this.link = { bps, tokens: bps / 32, at: clockMs() };
  }

  /** Whether the link lets `bytes` through now. */
  private passes(bytes: number): boolean {
    const link = this.link;
    if (!link) return true;
    const now = clockMs();
    link.tokens = Math.min(link.bps / 32, link.tokens + ((now - link.at) * link.bps) / 8000);
    link.at = now;
    if (link.tokens < bytes) return false;
    link.tokens -= bytes;
    return true;
  }

  /**
   * A viewer's feedback once a second, as a browser's: having lost packets, it asks for a
   * keyframe (PLI), as a browser that cannot decode does; with `remb`, it also estimates what
   * it can receive (the engine's own estimator: grow while loss is low, fall to the received
   * rate under heavy loss) and says so by REMB. Stops with close().
   */
  sendFeedback(options: { remb: boolean }): void {
    const video = this.pc.getTransceivers().find((t) => t.kind === 'video')!;
    const meter = new ReceiveMeter();
    this.videoMeter = meter;
    const estimator = new BandwidthEstimator(() => ({ min: 0, max: 0 }));
    this.timers.push(
      setInterval(() => {
        const sample = meter.take();
        const ssrc = video.receiver.tracks[0]?.ssrc;
        if (ssrc === undefined) return;
        if (options.remb) void this.announceBandwidth(estimator.update(sample)).catch(() => undefined);
        if (sample.loss > 0) void video.receiver.sendRtcpPLI(ssrc).catch(() => undefined);
      }, 1000),
    );
  }

  private watch(t: RTCRtpTransceiver): void {
    t.onTrack.subscribe((track) => {
      const highest = new Map<number, number>();
      track.onReceiveRtp.subscribe((packet) => {
        if (!this.passes(packet.serializeSize)) {
          this.received.dropped++;
          return;
        }
        this.count(packet.header.ssrc, packet.header.sequenceNumber, packet.payload.length, highest);
        if (t.kind === 'video') {
          this.videoMeter?.add(packet.header.sequenceNumber, packet.serializeSize);
          if (vp8Keyframe(packet.payload)) this.received.keyframes++;
        }
        const r = this.received;
        if (r.packets % this.delaySampling === 0 && packet.payload.length >= 8) {
          r.delays.push(clockMs() - packet.payload.readDoubleBE(packet.payload.length - 8));
        }
      });
    });
  }

  /**
   * Replaces werift's SRTP receive path once DTLS is done: the session keys are still
   * derived (the viewer's RTCP stays valid), but received packets are only counted.
   * NOTE: reaches into werift's RTCDtlsTransport (startSrtp, updateSrtpSession), 0.24.
   */
  private countInsteadOfDecrypting(): void {
    for (const transport of this.pc.dtlsTransports) {
      const t = transport as unknown as WeriftDtlsInternals;
      if (typeof t.startSrtp !== 'function' || typeof t.updateSrtpSession !== 'function') {
        throw new Error('werift changed: RTCDtlsTransport has no startSrtp/updateSrtpSession to count packets with');
      }
      t.startSrtp = () => {
        if (t.srtpStarted) return;
        t.srtpStarted = true;
        t.updateSrtpSession();
        const tagLength = t.dtls?.srtp.srtpProfile === ProtectionProfileAeadAes128Gcm ? 16 : 10;
        const highest = new Map<number, number>();
        t.iceTransport.connection.onData.subscribe((data: Buffer) => this.countSrtp(data, tagLength, highest));
      };
    }
  }

  /** One SRTP packet, counted from its clear header: RTCP and anything else is ignored. */
  private countSrtp(data: Buffer, tagLength: number, highest: Map<number, number>): void {
    if (data.length < 12 || data[0]! >> 6 !== 2) return;
    const payloadType = data[1]! & 0x7f;
    if (payloadType >= 64 && payloadType <= 95) return; // RTCP (types 192-223)
    let headerLength = 12 + 4 * (data[0]! & 0x0f);
    if (data[0]! & 0x10 && data.length >= headerLength + 4) headerLength += 4 + 4 * data.readUInt16BE(headerLength + 2);
    this.count(data.readUInt32BE(8), data.readUInt16BE(2), Math.max(0, data.length - headerLength - tagLength), highest);
  }

  /** A packet received: bytes, and loss from the sequence numbers of its stream. */
  private count(ssrc: number, seq: number, payloadBytes: number, highest: Map<number, number>): void {
    const r = this.received;
    r.packets++;
    r.bytes += payloadBytes;
    const last = highest.get(ssrc);
    if (last === undefined) {
      highest.set(ssrc, seq);
      return;
    }
    const gap = (seq - last) & 0xffff;
    if (gap > 0 && gap < 0x8000) {
      r.lost += gap - 1;
      highest.set(ssrc, seq);
    } else if (gap !== 0) {
      r.lost = Math.max(0, r.lost - 1); // a late packet filled a gap
    }
  }

  async close(): Promise<void> {
    this.timers.forEach((t) => clearInterval(t));
    this.timers = [];
    await this.pc.close();
  }
}

/** What countInsteadOfDecrypting reaches in werift's RTCDtlsTransport. */
interface WeriftDtlsInternals {
  startSrtp(): void;
  updateSrtpSession(): void;
  srtpStarted: boolean;
  dtls?: { srtp: { srtpProfile?: number } };
  iceTransport: { connection: { onData: { subscribe(listener: (data: Buffer) => void): unknown } } };
}

/** A VP8-looking payload: a descriptor, a keyframe header when asked, the send time at the end. */
function vp8Payload(startOfFrame: boolean, keyframe: boolean, length: number, sentAt: number): Buffer {
  const payload = Buffer.alloc(length);
  payload[0] = startOfFrame ? 0x10 : 0x00;
  if (keyframe) {
    // Frame tag (keyframe), start code, 640x480: what the engine reads for its stats.
    Buffer.from([0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]).copy(payload, 1);
  } else if (startOfFrame) {
    payload[1] = 0x51;
  }
  payload.writeDoubleBE(sentAt, length - 8);
  return payload;
}

/** The endpoint calls negotiation needs: the typed adapter's WebRtcEndpoint has them. */
export interface NegotiableEndpoint {
  processOffer(offer: string): Promise<string>;
  generateOffer(): Promise<string>;
  processAnswer(answer: string): Promise<string>;
  gatherCandidates(): Promise<void>;
  addIceCandidate(c: Candidate): Promise<void>;
  onIceCandidate(listener: (c: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null }) => void): void;
}

/** Peer offers and endpoint answers (or the other way round), candidates trickle both ways. */
export async function negotiate(
  peer: HeadlessPeer,
  endpoint: NegotiableEndpoint,
  offerer: 'peer' | 'endpoint' = 'peer',
): Promise<void> {
  endpoint.onIceCandidate((c) => {
    peer
      .addCandidate({ candidate: c.candidate, sdpMid: c.sdpMid ?? undefined, sdpMLineIndex: c.sdpMLineIndex ?? undefined })
      .catch(() => undefined);
  });
  peer.onCandidate((c) => {
    endpoint.addIceCandidate(c).catch(() => undefined);
  });
  if (offerer === 'peer') await peer.setAnswer(await endpoint.processOffer(await peer.createOffer()));
  else await endpoint.processAnswer(await peer.answer(await endpoint.generateOffer()));
  await endpoint.gatherCandidates();
}
