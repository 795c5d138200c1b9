// The hot path of a fan-out: one packet of a source, sent on to one sink. werift's
// RTCRtpSender.sendRtp is general and pays, per packet and per sink, for what forwarding
// does not need: it constructs a header object field by field, rebuilds every header
// extension (a new buffer for the MID each time), copies and sorts them, takes an NTP time
// by formatting a float as a string, and serialises the header bit by bit. This writes the
// same bytes (header and extensions straight into one buffer) with the same effect on the
// sender's state that werift's RTCP reads (sender reports: counts, and an NTP/RTP time pair
// refreshed every 100 ms, as a pair) and its NACK handling reads (the retransmission cache),
// then hands the packet to the DTLS transport's SRTP, as sendRtp does. On a plain UDP
// candidate pair (the common case) it also skips the four async layers between SRTP and the
// socket (DTLS transport, ICE connection, STUN protocol, UDP transport: a promise each, per
// packet and sink), keeping their counters and the consent rule (RFC 7675) they apply; a
// relayed (TURN) or TCP pair goes through werift as before.
//
// NOTE: written against werift 0.24's RTCRtpSender fields. `ForwardingSender.for` checks
// them, and returns nothing (the endpoint then uses sendRtp) when a field is missing or the
// sender does what this does not: RED, or RTX retransmissions (which wrap cached packets).

import type { RTCRtpSender } from 'werift';
import type { NativeSend } from './native-send';
import { NativeTransport } from './native-transport';
import { directUdp, type CandidatePairState, type DtlsState } from './werift-transport';

/** werift's rtpSender.js: the size of the retransmission cache, indexed by sequence number. */
const RTP_HISTORY_SIZE = 128;
/** How often the sender report's NTP/RTP time pair is taken. */
const NTP_REFRESH_MS = 100;
const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
/** Seconds from 1900 (NTP's epoch) to 1970. */
const NTP_EPOCH_OFFSET = 2_208_988_800;

/** What this reads and writes in werift's RTCRtpSender. */
interface SenderState {
  ssrc: number;
  mid?: string;
  codec?: { payloadType: number };
  headerExtensions: { uri: string; id: number }[];
  timestampOffset: number;
  seqOffset: number;
  timestamp: number;
  sequenceNumber: number;
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  octetCount: number;
  packetCount: number;
  headerBytesSent: number;
  rtpCache: { header: ForwardedHeader; payload: Buffer }[];
  redRedundantPayloadType?: number;
  rtxPayloadType?: number;
  dtlsTransport: DtlsState;
  runRtcp(): void;
}

const FIELDS: (keyof SenderState)[] = [
  'headerExtensions',
  'timestampOffset',
  'seqOffset',
  'ntpTimestamp',
  'octetCount',
  'packetCount',
  'headerBytesSent',
  'rtpCache',
  'runRtcp',
];

/**
 * A serialised RTP header, shaped as werift's SRTP and retransmission code read a header:
 * `ssrc`, `sequenceNumber`, `serializeSize`, `serialize()`.
 */
export class ForwardedHeader {
  constructor(
    readonly ssrc: number,
    readonly sequenceNumber: number,
    readonly timestamp: number,
    readonly payloadType: number,
    readonly marker: boolean,
    private readonly bytes: Buffer,
  ) {}

  get serializeSize(): number {
    return this.bytes.length;
  }

  serialize(): Buffer {
    return this.bytes;
  }
}

/** The negotiated extensions, laid out once: the MID's bytes, and where abs-send-time goes. */
interface ExtensionLayout {
  for: SenderState['headerExtensions'];
  mid: string | undefined;
  /** One-byte-header extension block (RFC 8285), abs-send-time's 3 bytes left to fill. */
  block: Buffer;
  absSendTimeAt: number | undefined;
}

export class ForwardingSender {
  private layout: ExtensionLayout | undefined;
  private ntpTakenAt = 0;
  /** Whether the nominated pair takes the direct path, decided once per pair. */
  private direct: { pair: CandidatePairState | undefined; ok: boolean } = { pair: undefined, ok: false };
  private nativeOf: { dtls: DtlsState; transport: NativeTransport } | undefined;

  private constructor(
    private readonly s: SenderState,
    private readonly native: NativeSend | undefined,
  ) {}

  /**
   * The fast path for `sender`, or nothing when it needs werift's own sendRtp. With `native`
   * (the optional libsrtp2 module), packets on a plain UDP pair are protected and sent by it.
   */
  static for(sender: RTCRtpSender, native?: NativeSend): ForwardingSender | undefined {
    const s = sender as unknown as SenderState;
    if (FIELDS.some((f) => s[f] === undefined) || s.redRedundantPayloadType || s.rtxPayloadType !== undefined) return undefined;
    return new ForwardingSender(s, native);
  }

  /**
   * Sends one packet: the stamps are the sink's own (restamped), the payload the source's.
   * False when the sender has since negotiated what this does not do (RTX, RED): the caller
   * sends it with werift's sendRtp instead.
   */
  send(timestamp: number, sequenceNumber: number, marker: boolean, payload: Buffer, now = performance.now()): boolean {
    const s = this.s;
    if (s.rtxPayloadType !== undefined || s.redRedundantPayloadType) return false;
    if (s.dtlsTransport.state !== 'connected' || !s.codec) return true; // as sendRtp: dropped
    const ts = (timestamp + s.timestampOffset) >>> 0;
    const seq = (sequenceNumber + s.seqOffset) & 0xffff;
    const header = new ForwardedHeader(s.ssrc, seq, ts, s.codec.payloadType, marker, this.headerBytes(ts, seq, marker, now));
    s.timestamp = ts;
    s.sequenceNumber = seq;
    if (now - this.ntpTakenAt >= NTP_REFRESH_MS) {
      // The sender report's pair: an NTP time and the RTP timestamp of the same instant.
      this.ntpTakenAt = now;
      s.ntpTimestamp = ntpNow(now);
      s.rtpTimestamp = ts;
    }
    s.octetCount += payload.length;
    s.headerBytesSent += header.serializeSize;
    s.packetCount = (s.packetCount + 1) >>> 0;
    s.rtpCache[seq % RTP_HISTORY_SIZE] = { header, payload };
    const sentNatively = this.nativeTransport()?.send(header.serialize(), payload) !== undefined;
    if (!sentNatively && !this.sendDirect(payload, header)) s.dtlsTransport.sendRtp(payload, header).catch(() => undefined);
    s.runRtcp();
    return true;
  }

  /** The native path of the sender's DTLS transport, looked up once per transport, not per packet. */
  private nativeTransport(): NativeTransport | undefined {
    if (!this.native) return undefined;
    const dtls = this.s.dtlsTransport;
    if (this.nativeOf?.dtls !== dtls) this.nativeOf = { dtls, transport: NativeTransport.of(this.native, dtls) };
    return this.nativeOf.transport;
  }

  /**
   * Protects and sends on the nominated pair's UDP socket, as werift's layers would; false when
   * the pair is not plain UDP (werift's path then sends it).
   */
  private sendDirect(payload: Buffer, header: ForwardedHeader): boolean {
    const dtls = this.s.dtlsTransport;
    const connection = dtls.iceTransport?.connection;
    const pair = connection?.nominated;
    if (!pair || !dtls.srtp) return false;
    if (pair !== this.direct.pair) this.direct = { pair, ok: directUdp(pair) };
    if (!this.direct.ok) return false;
    const transport = pair.protocol.transport!;
    // RFC 7675: no application data once consent has expired, as werift's ICE send checks.
    if (!connection!.canSendApplicationData?.() || transport.closed) return true;
    const enc = dtls.srtp.encrypt(payload, header);
    dtls.bytesSent = (dtls.bytesSent ?? 0) + enc.length;
    dtls.packetsSent = (dtls.packetsSent ?? 0) + 1;
    try {
      transport.socket!.send(enc, pair.remoteAddr[1], pair.remoteAddr[0]);
    } catch {
      return true; // a socket closing under us: dropped, as werift's catch would
    }
    pair.packetsSent++;
    pair.bytesSent += enc.length;
    return true;
  }

  private headerBytes(ts: number, seq: number, marker: boolean, now: number): Buffer {
    const layout = this.extensionLayout();
    const bytes = Buffer.allocUnsafe(12 + layout.block.length);
    bytes[0] = layout.block.length > 0 ? 0x90 : 0x80; // version 2, extension bit
    bytes[1] = (marker ? 0x80 : 0) | this.s.codec!.payloadType;
    bytes.writeUInt16BE(seq, 2);
    bytes.writeUInt32BE(ts, 4);
    bytes.writeUInt32BE(this.s.ssrc, 8);
    if (layout.block.length > 0) {
      layout.block.copy(bytes, 12);
      if (layout.absSendTimeAt !== undefined) {
        // abs-send-time: seconds as 6.18 fixed point, wrapping every 64 s.
        bytes.writeUIntBE(
          Math.round(((performance.timeOrigin + now) / 1000) * (1 << 18)) & 0xffffff,
          12 + layout.absSendTimeAt,
          3,
        );
      }
    }
    return bytes;
  }

  private extensionLayout(): ExtensionLayout {
    const s = this.s;
    if (this.layout && this.layout.for === s.headerExtensions && this.layout.mid === s.mid) return this.layout;
    const elements: Buffer[] = [];
    let absSendTimeAt: number | undefined;
    let offset = 4; // after the 0xBEDE profile and the length
    for (const { uri, id } of [...s.headerExtensions].sort((a, b) => a.id - b.id)) {
      // One-byte headers take ids 1-14 and up to 16 bytes; an extension beyond that is left
      // out (the MID is optional where the SDP names the SSRCs, as werift's does).
      if (id < 1 || id > 14) continue;
      if (uri === MID_URI && s.mid && Buffer.byteLength(s.mid) <= 16) {
        const mid = Buffer.from(s.mid);
        elements.push(Buffer.concat([Buffer.from([(id << 4) | (mid.length - 1)]), mid]));
        offset += 1 + mid.length;
      } else if (uri === ABS_SEND_TIME_URI) {
        elements.push(Buffer.from([(id << 4) | 2, 0, 0, 0]));
        absSendTimeAt = offset + 1;
        offset += 4;
      }
    }
    let block = Buffer.alloc(0);
    if (elements.length > 0) {
      const body = Buffer.concat(elements);
      const words = Math.ceil(body.length / 4);
      block = Buffer.alloc(4 + words * 4); // zero padding to a whole word
      block.writeUInt16BE(0xbede, 0);
      block.writeUInt16BE(words, 2);
      body.copy(block, 4);
    }
    this.layout = { for: s.headerExtensions, mid: s.mid, block, absSendTimeAt };
    return this.layout;
  }
}

/** NTP time (RFC 5905: seconds since 1900 and a 32-bit fraction) at `now` (performance.now()). */
function ntpNow(now: number): bigint {
  const ms = performance.timeOrigin + now;
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms % 1000) / 1000) * 0x100000000);
  return (BigInt(seconds + NTP_EPOCH_OFFSET) << 32n) | BigInt(fraction);
}
