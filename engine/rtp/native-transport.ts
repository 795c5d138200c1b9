// One DTLS transport's native send path (see native-send.ts): a libsrtp2 session keyed as
// werift's own SRTP context, and the nominated pair's socket descriptor. Once a transport has
// one, every RTP packet on it goes through it while the pair is plain UDP, the engine's
// forwarding and werift's own sends alike (NACK retransmissions): one SRTP context per stream,
// so the rollover counter stays right past a sequence number wrap.

import type { NativeSend } from './native-send';
import { directUdp, type CandidatePairState, type DtlsState } from './werift-transport';

const transports = new WeakMap<DtlsState, NativeTransport>();

export class NativeTransport {
  private session: { for: object; handle: unknown } | undefined;
  private pair: { for: CandidatePairState; fd: number | undefined } | undefined;

  private constructor(
    private readonly native: NativeSend,
    private readonly dtls: DtlsState,
  ) {}

  /** The transport's native path, made once; werift's sendRtp on it goes through it too. */
  static of(native: NativeSend, dtls: DtlsState): NativeTransport {
    let transport = transports.get(dtls);
    if (!transport) {
      const made = new NativeTransport(native, dtls);
      transport = made;
      transports.set(dtls, made);
      const weriftSend = dtls.sendRtp.bind(dtls);
      dtls.sendRtp = async (payload, header) =>
        made.send(header.serialize(header.serializeSize), payload) ?? weriftSend(payload, header);
    }
    return transport;
  }

  /**
   * Protects and sends one packet on the nominated pair: its size on the wire, 0 when it was
   * dropped (no consent, a full socket buffer), or undefined when the pair is not plain UDP to
   * an IP address (werift's path then sends it).
   */
  send(header: Buffer, payload: Buffer): number | undefined {
    const dtls = this.dtls;
    const connection = dtls.iceTransport?.connection;
    const pair = connection?.nominated;
    const srtp = dtls.srtp?.localContext;
    if (!pair || !srtp) return undefined;
    const fd = this.fdOf(pair);
    if (fd === undefined) return undefined;
    // RFC 7675: no application data once consent has expired, as werift's ICE send checks.
    if (!connection!.canSendApplicationData?.() || pair.protocol.transport?.closed) return 0;
    if (this.session?.for !== srtp) {
      this.session = { for: srtp, handle: this.native.session(srtp.profile, srtp.masterKey, srtp.masterSalt) };
    }
    const sent = this.native.protectAndSend(this.session.handle, fd, pair.remoteAddr[0], pair.remoteAddr[1], header, payload);
    if (sent <= 0) return 0;
    dtls.bytesSent = (dtls.bytesSent ?? 0) + sent;
    dtls.packetsSent = (dtls.packetsSent ?? 0) + 1;
    pair.packetsSent++;
    pair.bytesSent += sent;
    return sent;
  }

  /** The pair's socket descriptor when it is plain UDP to an IP address; decided once per pair. */
  private fdOf(pair: CandidatePairState): number | undefined {
    if (this.pair?.for !== pair) this.pair = { for: pair, fd: udpDescriptor(pair) };
    return this.pair.fd;
  }
}

/** The descriptor of a plain UDP pair's dgram socket, read from Node's socket state (Linux: a real descriptor). */
function udpDescriptor(pair: CandidatePairState): number | undefined {
  if (!directUdp(pair)) return undefined;
  const socket = pair.protocol.transport!.socket as unknown as Record<symbol, { handle?: { fd?: number } } | undefined>;
  const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const fd = state ? socket[state]?.handle?.fd : undefined;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
