// RtpEndpoint: plain RTP to and from any RTP tool (GStreamer, FFmpeg, a SIP gateway), as
// KMS's (kmsrtpendpoint.c with its AVPF media handler). Negotiation is SDP offer/answer in
// either direction; each audio and video section takes the first of its codecs the engine
// forwards (Opus; VP8 or H.264), and the rest is answered rejected. Media passes as it is,
// with a sender report each second; a peer's PLI or FIR asks the source for a keyframe, and
// a sink's request becomes a PLI to the peer. With `crypto` (SDES), sections are RTP/SAVP(F)
// with a=crypto keys, AES_128_CM_HMAC_SHA1_80 only; `useIpv6` binds and announces IPv6.

import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { RtpHeader, RtpPacket } from 'werift';
import { KmsError } from '../protocol/errors';
import type { CodecInfo, MediaKind, RtpFanout } from '../rtp/fanout';
import { RtpRestamper } from '../rtp/restamper';
import type { Params } from '../types/params';
import type { EngineContext, MediaObject } from './media-object';
import { SdpEndpoint } from './sdp-endpoint';
import {
  parsePlainSdp,
  reverse,
  writePlainSdp,
  type Direction,
  type MediaAnswer,
  type PlainMedia,
  type RtpMap,
} from './rtp/plain-sdp';
import { RtpLink } from './rtp/rtp-link';

/** The suite as kurento's CryptoSuite names it, and as SDP (RFC 4568) does. */
const SUITE = 'AES_128_CM_HMAC_SHA1_80';
const SDP_SUITE = 'AES_CM_128_HMAC_SHA1_80';
const KEY_BYTES = 30;
const ALL_SUITES = ['AES_128_CM_HMAC_SHA1_32', 'AES_128_CM_HMAC_SHA1_80', 'AES_256_CM_HMAC_SHA1_32', 'AES_256_CM_HMAC_SHA1_80'];

/** What the engine offers and takes, by kind: name, clock, channels, fmtp, offered PT. */
const CODECS: Record<MediaKind, (RtpMap & { pt: string; fmtp?: string })[]> = {
  audio: [{ name: 'opus', clockRate: 48000, channels: 2, pt: '111' }],
  video: [
    { name: 'VP8', clockRate: 90000, pt: '96' },
    { name: 'H264', clockRate: 90000, pt: '103', fmtp: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' },
  ],
};

interface Negotiated {
  link: RtpLink;
  pt: number;
  codec: CodecInfo;
  direction: Direction;
}

export class RtpEndpoint extends SdpEndpoint {
  private readonly localKey: Buffer | undefined;
  private readonly address: string;
  private readonly links = new Map<MediaKind, Negotiated>();
  /** Sockets opened for an offer, before its answer says which media go on. */
  private offered: { kind: MediaKind; link: RtpLink; direction: Direction }[] = [];
  private readonly sessionId = String(Date.now());
  /** An offer or answer under way: a second one at once is refused, not interleaved. */
  private negotiating = false;
  private readonly restampers = { audio: new RtpRestamper(48000), video: new RtpRestamper(90000) };
  private readonly codecMismatchReported = new Set<MediaKind>();
  private mediaState: 'CONNECTED' | 'DISCONNECTED' = 'DISCONNECTED';
  private connectionState: 'CONNECTED' | 'DISCONNECTED' = 'DISCONNECTED';
  private readonly settings: Record<string, number> = {
    minVideoRecvBandwidth: 0,
    minVideoSendBandwidth: 100,
    maxVideoSendBandwidth: 500,
    maxAudioRecvBandwidth: 0,
    maxVideoRecvBandwidth: 0,
    mtu: 1200,
  };

  constructor(ctx: EngineContext, pipeline: MediaObject, params: Params) {
    super(ctx, 'RtpEndpoint', pipeline);
    this.localKey = sdesKey(params.crypto as Record<string, unknown> | undefined);
    this.address = localAddress(ctx, (params.useIpv6 as boolean | undefined) ?? false);
    this.registerOperations();
  }

  // ---- negotiation ---------------------------------------------------------------------

  private get profile(): string {
    return this.localKey ? 'RTP/SAVPF' : 'RTP/AVPF';
  }

  private accepts(proto: string): boolean {
    return this.localKey ? /^RTP\/SAVPF?$/.test(proto) : /^RTP\/AVPF?$/.test(proto);
  }

  private async generateOffer(options: Record<string, unknown> | undefined): Promise<string> {
    if (this.localSdp !== undefined || this.negotiating) {
      throw new KmsError('SDP_END_POINT_ALREADY_NEGOTIATED', 'This endpoint has already generated an offer');
    }
    const receive = { audio: options?.offerToReceiveAudio !== false, video: options?.offerToReceiveVideo !== false };
    return this.negotiation(async () => {
      const sections: MediaAnswer[] = [];
      for (const kind of ['audio', 'video'] as MediaKind[]) {
        const link = await this.openLink(kind);
        const direction: Direction = receive[kind] ? 'sendrecv' : 'sendonly';
        this.offered.push({ kind, link, direction });
        sections.push(this.section(kind, link, CODECS[kind], direction, this.profile, undefined));
      }
      this.localSdp = writePlainSdp(this.sessionId, this.address, sections);
      return this.localSdp;
    });
  }

  /**
   * One offer or answer at a time. One that fails (no free ports) leaves nothing open, and
   * the endpoint may be negotiated again.
   */
  private async negotiation(work: () => Promise<string>): Promise<string> {
    this.negotiating = true;
    try {
      return await work();
    } catch (err) {
      for (const { link } of [...this.links.values(), ...this.offered]) link.close();
      this.links.clear();
      this.offered = [];
      throw err;
    } finally {
      this.negotiating = false;
    }
  }

  private async processOffer(offer: string): Promise<string> {
    if (this.remoteSdp !== undefined || this.localSdp !== undefined || this.negotiating) {
      throw new KmsError('SDP_END_POINT_ALREADY_NEGOTIATED', 'This endpoint has already negotiated a session');
    }
    const remote = parse(offer);
    return this.negotiation(async () => {
      const sections: MediaAnswer[] = [];
      for (const m of remote.media) {
        const kind = m.kind as MediaKind;
        const choice = kind === 'audio' || kind === 'video' ? this.choose(kind, m) : undefined;
        const remoteKey = this.remoteKeyOf(m);
        const address = m.address ?? remote.address;
        const reachable = address !== undefined && isIP(address) !== 0;
        if (!choice || this.links.has(kind) || m.port === 0 || !reachable || !this.accepts(m.proto) || remoteKey === null) {
          sections.push(rejected(m));
          continue;
        }
        const link = await this.openLink(kind);
        const direction = reverse(m.direction);
        this.adopt(kind, link, m, remote.address, choice, direction, remoteKey);
        sections.push(this.section(kind, link, [choice], direction, m.proto, m));
      }
      this.remoteSdp = offer;
      this.localSdp = writePlainSdp(this.sessionId, this.address, sections);
      this.negotiated();
      return this.localSdp;
    });
  }

  private processAnswer(answer: string): string {
    if (this.localSdp === undefined || this.offered.length === 0) {
      throw new KmsError('SDP_END_POINT_NO_LOCAL_SDP_ERROR', 'processAnswer needs a prior generateOffer');
    }
    if (this.remoteSdp !== undefined) {
      throw new KmsError('SDP_END_POINT_ALREADY_NEGOTIATED', 'This endpoint has already processed an answer');
    }
    const remote = parse(answer, 'SDP_END_POINT_PROCESS_ANSWER_ERROR');
    const offered = this.offered;
    this.offered = [];
    for (const [i, { kind, link, direction }] of offered.entries()) {
      const m = remote.media[i];
      const choice = m && m.kind === kind && m.port !== 0 ? this.choose(kind, m) : undefined;
      const remoteKey = m ? this.remoteKeyOf(m) : null;
      if (!m || !choice || remoteKey === null) {
        link.close();
        continue;
      }
      // The answer's direction is the peer's; ours is its reverse (within what we offered).
      this.adopt(kind, link, m, remote.address, choice, narrowed(direction, reverse(m.direction)), remoteKey);
    }
    this.remoteSdp = answer;
    this.negotiated();
    return this.localSdp;
  }

  /** The first of the section's formats that the engine forwards, as the peer numbers it. */
  private choose(kind: MediaKind, m: PlainMedia): (RtpMap & { pt: string; fmtp?: string }) | undefined {
    for (const pt of m.formats) {
      const map = m.rtpmap.get(pt);
      const ours =
        map && CODECS[kind].find((c) => c.name.toLowerCase() === map.name.toLowerCase() && c.clockRate === map.clockRate);
      if (ours) return { ...ours, pt, fmtp: m.fmtp.get(pt) ?? ours.fmtp };
    }
    return undefined;
  }

  /** The peer's SDES key for a section: undefined without SRTP, null if it offers none we take. */
  private remoteKeyOf(m: PlainMedia): Buffer | undefined | null {
    if (!this.localKey) return undefined;
    const line = m.crypto.find((c) => c.suite === SDP_SUITE);
    const key = line ? Buffer.from(line.keyBase64, 'base64') : undefined;
    return key && key.length === KEY_BYTES ? key : null;
  }

  private section(
    kind: MediaKind,
    link: RtpLink,
    codecs: (RtpMap & { pt: string; fmtp?: string })[],
    direction: Direction,
    proto: string,
    offered: PlainMedia | undefined,
  ): MediaAnswer {
    const tag = offered?.crypto.find((c) => c.suite === SDP_SUITE)?.tag ?? '1';
    return {
      kind,
      port: link.rtpPort,
      proto,
      formats: codecs.map((c) => c.pt),
      rtpmap: new Map(codecs.map((c) => [c.pt, c])),
      fmtp: new Map(codecs.filter((c) => c.fmtp).map((c) => [c.pt, c.fmtp!])),
      rtcpPort: link.rtcpPort,
      direction,
      ssrc: link.ssrc,
      cname: this.id,
      feedback: kind === 'video' && proto.endsWith('F'),
      crypto: this.localKey ? { tag, suite: SDP_SUITE, keyBase64: this.localKey.toString('base64') } : undefined,
      mid: offered?.mid,
    };
  }

  private async openLink(kind: MediaKind): Promise<RtpLink> {
    let link: RtpLink;
    try {
      link = await RtpLink.open(
        this.address,
        {
          rtp: (packet) => this.onRemoteRtp(kind, packet),
          keyframeWanted: () => this.requestKeyframeUpstream(kind),
          heard: () => this.markMediaConnected(),
        },
        this.ctx.config.portRange,
      );
    } catch (err) {
      throw new KmsError('NOT_ENOUGH_RESOURCES', `RtpEndpoint cannot open its ports: ${(err as Error).message}`);
    }
    if (this.released) {
      link.close();
      throw new KmsError('MEDIA_OBJECT_NOT_FOUND', `Object '${this.id}' was released`);
    }
    return link;
  }

  private adopt(
    kind: MediaKind,
    link: RtpLink,
    m: PlainMedia,
    sessionAddress: string | undefined,
    choice: RtpMap & { pt: string },
    direction: Direction,
    remoteKey: Buffer | undefined,
  ): void {
    // An address, never a name: the media server resolves nothing an SDP names.
    const address = m.address ?? sessionAddress;
    if (address && isIP(address) !== 0 && m.port > 0) link.setRemote(address, m.port, m.rtcpPort ?? m.port + 1);
    if (this.localKey && remoteKey) link.setKeys(this.localKey, remoteKey);
    const codec = { mimeType: `${kind}/${choice.name}`, clockRate: choice.clockRate };
    this.links.set(kind, { link, pt: Number(choice.pt), codec, direction });
    this.output(kind).codec = codec;
  }

  private negotiated(): void {
    this.raise('ConnectionStateChanged', { oldState: this.connectionState, newState: 'CONNECTED' });
    this.connectionState = 'CONNECTED';
    // What was connected before negotiation needs a keyframe now that it can go out.
    for (const kind of this.links.keys()) this.requestKeyframeUpstream(kind);
  }

  // ---- media -----------------------------------------------------------------------------

  private onRemoteRtp(kind: MediaKind, packet: RtpPacket): void {
    const negotiated = this.links.get(kind);
    if (!negotiated || negotiated.direction === 'sendonly' || negotiated.direction === 'inactive') return;
    if (packet.header.payloadType !== negotiated.pt) return;
    this.output(kind).push(packet);
  }

  protected onInputPacket(kind: MediaKind, packet: RtpPacket, source: RtpFanout): void {
    const negotiated = this.links.get(kind);
    if (!negotiated || negotiated.direction === 'recvonly' || negotiated.direction === 'inactive') return;
    const have = source.codec?.mimeType.toLowerCase();
    if (have && have !== negotiated.codec.mimeType.toLowerCase()) {
      if (!this.codecMismatchReported.has(kind)) {
        this.codecMismatchReported.add(kind);
        this.raiseError(
          'CODEC_MISMATCH',
          `The source sends ${source.codec!.mimeType} but this endpoint negotiated ${negotiated.codec.mimeType}; the embedded media server does not transcode`,
          40212,
        );
      }
      return;
    }
    // Our SSRC and payload type; the source's header extensions mean nothing to the peer.
    const header = new RtpHeader({
      ...packet.header,
      ssrc: negotiated.link.ssrc,
      payloadType: negotiated.pt,
      extension: false,
      extensions: [],
    });
    negotiated.link.send(this.restampers[kind].restamp(new RtpPacket(header, packet.payload)));
  }

  protected override onKeyframeRequested(kind: MediaKind): void {
    this.links.get(kind)?.link.requestKeyframe();
  }

  private markMediaConnected(): void {
    if (this.mediaState === 'CONNECTED') return;
    this.raise('MediaStateChanged', { oldState: this.mediaState, newState: 'CONNECTED' });
    this.mediaState = 'CONNECTED';
  }

  private stats(mediaType: unknown): Record<string, unknown> {
    const now = Date.now();
    const out: Record<string, unknown> = {};
    for (const [kind, { link, codec }] of this.links) {
      if (mediaType && mediaType !== kind.toUpperCase()) continue;
      const common = { __module__: 'kurento', timestampMillis: now, kind, codecId: codec.mimeType, isRemote: false };
      out[`${this.id}-${kind}-in`] = {
        ...common,
        __type__: 'RTCInboundRTPStreamStats',
        id: `${this.id}-${kind}-in`,
        type: 'inboundrtp',
        ssrc: String(link.remoteSsrc ?? ''),
        packetsReceived: link.counts.packetsReceived,
        bytesReceived: link.counts.bytesReceived,
        packetsLost: 0,
        jitter: 0,
      };
      out[`${this.id}-${kind}-out`] = {
        ...common,
        __type__: 'RTCOutboundRTPStreamStats',
        id: `${this.id}-${kind}-out`,
        type: 'outboundrtp',
        ssrc: String(link.ssrc),
        packetsSent: link.counts.packetsSent,
        bytesSent: link.counts.bytesSent,
      };
    }
    out[`${this.id}-element`] = {
      __module__: 'kurento',
      __type__: 'EndpointStats',
      id: `${this.id}-element`,
      type: 'endpoint',
      timestampMillis: now,
      inputLatency: [],
    };
    return out;
  }

  protected override async dispose(): Promise<void> {
    for (const { link } of this.links.values()) link.close();
    for (const { link } of this.offered) link.close();
    this.links.clear();
    this.offered = [];
    await super.dispose();
  }

  private registerOperations(): void {
    this.handle('generateOffer', (p) => this.generateOffer(p.options as Record<string, unknown> | undefined));
    this.handle('processOffer', (p) => this.processOffer(p.offer as string));
    this.handle('processAnswer', (p) => this.processAnswer(p.answer as string));
    this.handle('requestKeyframe', () => this.links.get('video')?.link.requestKeyframe());
    this.handle('getMediaState', () => this.mediaState);
    this.handle('getConnectionState', () => this.connectionState);
    this.handle('getStats', (p) => this.stats(p.mediaType));
    // Stored as KMS stores them; the engine forwards without re-encoding, so they shape nothing.
    for (const prop of Object.keys(this.settings)) {
      const cap = prop.charAt(0).toUpperCase() + prop.slice(1);
      this.handle(`get${cap}`, () => this.settings[prop]);
      this.handle(`set${cap}`, (p) => {
        this.settings[prop] = p[prop] as number;
      });
    }
  }
}

function parse(sdp: string, code: 'SDP_PARSE_ERROR' | 'SDP_END_POINT_PROCESS_ANSWER_ERROR' = 'SDP_PARSE_ERROR') {
  try {
    return parsePlainSdp(sdp);
  } catch (err) {
    throw new KmsError(code, `The SDP could not be parsed: ${(err as Error).message}`);
  }
}

/** What both an offer's direction and an answer's allow. */
function narrowed(offered: Direction, answered: Direction): Direction {
  const send = offered !== 'recvonly' && offered !== 'inactive' && answered !== 'recvonly' && answered !== 'inactive';
  const recv = offered !== 'sendonly' && offered !== 'inactive' && answered !== 'sendonly' && answered !== 'inactive';
  return send && recv ? 'sendrecv' : send ? 'sendonly' : recv ? 'recvonly' : 'inactive';
}

function rejected(m: PlainMedia): MediaAnswer {
  return {
    kind: m.kind,
    port: 0,
    proto: m.proto,
    formats: m.formats,
    rtpmap: new Map(),
    fmtp: new Map(),
    direction: 'inactive',
    mid: m.mid,
  };
}

/** KMS's SDES rules: no suite means no SRTP; a key must fit the suite; none given, a random one. */
function sdesKey(crypto: Record<string, unknown> | undefined): Buffer | undefined {
  const suite = crypto?.crypto;
  if (suite === undefined) return undefined;
  if (!ALL_SUITES.includes(String(suite))) throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'Invalid crypto suite');
  if (suite !== SUITE) {
    throw new KmsError(
      'NOT_IMPLEMENTED',
      `RtpEndpoint with ${String(suite)} is not supported by the embedded media server; use ${SUITE}`,
    );
  }
  let key: Buffer;
  if (typeof crypto!.key === 'string') key = Buffer.from(crypto!.key, 'latin1');
  else if (typeof crypto!.keyBase64 === 'string') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(crypto!.keyBase64)) {
      throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'Master key is not valid Base64');
    }
    key = Buffer.from(crypto!.keyBase64, 'base64');
  } else return randomBytes(KEY_BYTES);
  if (key.length !== KEY_BYTES) throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'Master key size is wrong');
  return key;
}

/** The address an RtpEndpoint binds and announces: a configured one, the engine's host, or the machine's. */
function localAddress(ctx: EngineContext, ipv6: boolean): string {
  const family = ipv6 ? 'IPv6' : 'IPv4';
  const isFamily = (a: string): boolean => (ipv6 ? a.includes(':') : !a.includes(':'));
  const configured = ctx.config.addresses.find(isFamily);
  if (configured) return configured;
  const host = ctx.config.host;
  if (host !== '0.0.0.0' && host !== '::') {
    if (isFamily(host)) return host;
    if (host === '127.0.0.1' || host === '::1') return ipv6 ? '::1' : '127.0.0.1';
  }
  for (const addresses of Object.values(networkInterfaces())) {
    const found = addresses?.find((a) => a.family === family && !a.internal && !a.address.startsWith('fe80'));
    if (found) return found.address;
  }
  return ipv6 ? '::1' : '127.0.0.1';
}
