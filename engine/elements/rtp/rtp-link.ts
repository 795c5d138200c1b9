// One media of an RtpEndpoint on the wire: an RTP socket on an even port and RTCP on the next
// (as RTP tools expect without a=rtcp; RTCP arriving on the RTP port is taken too), the
// peer's address once negotiated, SDES-SRTP when keys are set, a sender report each second
// while it sends, and the counts getStats reports. Picture loss requests from the peer, and
// the peer's packets, reach the owner through its callbacks.

import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import {
  PictureLossIndication,
  RtcpPacketConverter,
  RtcpPayloadSpecificFeedback,
  RtcpSenderInfo,
  RtcpSrPacket,
  RtpPacket,
  SrtcpSession,
  SrtpSession,
  type RtcpPacket,
} from 'werift';

/** werift's SRTP profile for AES_128_CM_HMAC_SHA1_80, the suite the engine speaks. */
const AES_128_CM_HMAC_SHA1_80 = 1;
const SENDER_REPORT_MS = 1000;
/** PLI and FIR (RFC 4585, RFC 5104). */
const PLI_FMT = 1;
const FIR_FMT = 4;
/** Tries at an even/odd pair before giving up (ports are taken by other processes too). */
const BIND_TRIES = 20;

export interface LinkEvents {
  rtp(packet: RtpPacket): void;
  /** The peer lost a picture of what we send. */
  keyframeWanted(): void;
  /** Any packet from the peer, RTP or RTCP. */
  heard(): void;
}

export interface LinkCounts {
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  /** RTP or RTCP packets that could not be read (bad SRTP, not RTP). */
  packetsDiscarded: number;
}

export class RtpLink {
  readonly ssrc = randomBytes(4).readUInt32BE(0);
  remoteSsrc: number | undefined;
  readonly counts: LinkCounts = { packetsSent: 0, bytesSent: 0, packetsReceived: 0, bytesReceived: 0, packetsDiscarded: 0 };
  private remote: { address: string; rtpPort: number; rtcpPort: number } | undefined;
  private srtp: { rtp: SrtpSession; rtcp: SrtcpSession } | undefined;
  private lastRtpTimestamp = 0;
  private closed = false;
  private readonly reports: NodeJS.Timeout;

  private constructor(
    private readonly rtpSocket: Socket,
    private readonly rtcpSocket: Socket,
    private readonly events: LinkEvents,
  ) {
    rtpSocket.on('message', (buf) => this.onDatagram(buf, false));
    rtcpSocket.on('message', (buf) => this.onDatagram(buf, true));
    // A datagram refused by the peer (ICMP unreachable) is no reason to stop.
    rtpSocket.on('error', () => undefined);
    rtcpSocket.on('error', () => undefined);
    this.reports = setInterval(() => this.sendReport(), SENDER_REPORT_MS);
    this.reports.unref();
  }

  /** Binds an even RTP port and the odd one above it on `address`, within `range` if given. */
  static async open(address: string, events: LinkEvents, range?: [number, number]): Promise<RtpLink> {
    const type = address.includes(':') ? 'udp6' : 'udp4';
    for (let tries = 0; tries < BIND_TRIES; tries++) {
      const rtp = createSocket(type);
      const wanted = range ? range[0] + 2 * Math.floor((Math.random() * (range[1] - range[0])) / 2) : 0;
      try {
        await bind(rtp, address, wanted);
        const port = rtp.address().port;
        if (port % 2 !== 0 || port + 1 > 65535 || (range && port + 1 > range[1])) throw new Error('odd port');
        const rtcp = createSocket(type);
        try {
          await bind(rtcp, address, port + 1);
        } catch (err) {
          rtcp.close();
          throw err;
        }
        return new RtpLink(rtp, rtcp, events);
      } catch {
        rtp.close();
      }
    }
    throw new Error(`no free pair of UDP ports on ${address}${range ? ` from ${range[0]} to ${range[1]}` : ''}`);
  }

  get rtpPort(): number {
    return this.rtpSocket.address().port;
  }

  get rtcpPort(): number {
    return this.rtcpSocket.address().port;
  }

  setRemote(address: string, rtpPort: number, rtcpPort: number): void {
    this.remote = { address, rtpPort, rtcpPort };
  }

  /** SDES keys (30 bytes each: a 16-byte master key and a 14-byte salt). */
  setKeys(local: Buffer, remote: Buffer): void {
    const keys = {
      localMasterKey: local.subarray(0, 16),
      localMasterSalt: local.subarray(16, 30),
      remoteMasterKey: remote.subarray(0, 16),
      remoteMasterSalt: remote.subarray(16, 30),
    };
    this.srtp = {
      rtp: new SrtpSession({ keys, profile: AES_128_CM_HMAC_SHA1_80 }),
      rtcp: new SrtcpSession({ keys, profile: AES_128_CM_HMAC_SHA1_80 }),
    };
  }

  send(packet: RtpPacket): void {
    if (!this.remote || this.closed) return;
    const wire = this.srtp ? this.srtp.rtp.encrypt(packet.payload, packet.header) : packet.serialize();
    this.counts.packetsSent++;
    this.counts.bytesSent += packet.payload.length;
    this.lastRtpTimestamp = packet.header.timestamp;
    this.rtpSocket.send(wire, this.remote.rtpPort, this.remote.address);
  }

  /** Asks the peer for a keyframe of what it sends us. */
  requestKeyframe(): void {
    if (this.remoteSsrc === undefined) return;
    const pli = new PictureLossIndication({ senderSsrc: this.ssrc, mediaSsrc: this.remoteSsrc });
    this.sendRtcp(new RtcpPayloadSpecificFeedback({ feedback: pli }).serialize());
  }

  private sendReport(): void {
    if (!this.remote || this.counts.packetsSent === 0) return;
    const ntp = BigInt(Date.now() + 2_208_988_800_000) * 4_294_967_296n;
    const senderInfo = new RtcpSenderInfo({
      ntpTimestamp: ntp / 1000n,
      rtpTimestamp: this.lastRtpTimestamp,
      packetCount: this.counts.packetsSent,
      octetCount: this.counts.bytesSent,
    });
    this.sendRtcp(new RtcpSrPacket({ ssrc: this.ssrc, senderInfo }).serialize());
  }

  private sendRtcp(raw: Buffer): void {
    if (!this.remote || this.closed) return;
    const wire = this.srtp ? this.srtp.rtcp.encrypt(raw) : raw;
    this.rtcpSocket.send(wire, this.remote.rtcpPort, this.remote.address);
  }

  private onDatagram(buf: Buffer, onRtcpPort: boolean): void {
    // RFC 5761: payload types 200-204 are RTCP, whichever port they came to.
    const rtcp = onRtcpPort || (buf.length > 1 && buf[1]! >= 200 && buf[1]! <= 204);
    try {
      if (rtcp) this.onRtcp(this.srtp ? this.srtp.rtcp.decrypt(buf) : buf);
      else this.onRtp(RtpPacket.deSerialize(this.srtp ? this.srtp.rtp.decrypt(buf) : buf));
    } catch {
      this.counts.packetsDiscarded++;
    }
  }

  private onRtp(packet: RtpPacket): void {
    if (packet.header.version !== 2) throw new Error('not RTP');
    this.remoteSsrc = packet.header.ssrc;
    this.counts.packetsReceived++;
    this.counts.bytesReceived += packet.payload.length;
    this.events.heard();
    this.events.rtp(packet);
  }

  private onRtcp(raw: Buffer): void {
    const packets: RtcpPacket[] = RtcpPacketConverter.deSerialize(raw);
    this.events.heard();
    for (const p of packets) {
      if (!(p instanceof RtcpPayloadSpecificFeedback)) continue;
      const fmt = p.feedback.count;
      if (fmt === PLI_FMT || fmt === FIR_FMT) this.events.keyframeWanted();
    }
  }

  /** Closes both sockets; again is a no-op (a failed negotiation and a release may both ask). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.reports);
    this.rtpSocket.close();
    this.rtcpSocket.close();
  }
}

function bind(socket: Socket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}
