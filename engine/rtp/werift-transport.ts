// What the engine's send paths read and write of werift's transports (0.24): the DTLS
// transport's SRTP context and counters, its ICE connection's nominated candidate pair, and
// that pair's protocol and socket. Kept in one place, so a werift upgrade has one shape to check;
// every field is optional or checked, and a missing one sends the packet through werift.

import { isIP } from 'node:net';

/** What the direct paths read and write in werift's RTCDtlsTransport and ICE connection. */
export interface DtlsState {
  state: string;
  sendRtp(payload: Buffer, header: { serialize(size?: number): Buffer; serializeSize: number }): Promise<number>;
  srtp?: {
    encrypt(payload: Buffer, header: { serialize(): Buffer }): Buffer;
    localContext?: { masterKey: Buffer; masterSalt: Buffer; profile: number };
  };
  bytesSent?: number;
  packetsSent?: number;
  iceTransport?: { connection?: IceConnectionState };
}

interface IceConnectionState {
  nominated?: CandidatePairState;
  canSendApplicationData?(): boolean;
}

export interface CandidatePairState {
  remoteAddr: [string, number];
  packetsSent: number;
  bytesSent: number;
  protocol: {
    constructor: { name: string };
    transport?: { type?: string; closed?: boolean; socket?: { send(data: Buffer, port: number, host: string): void } };
  };
}

/**
 * Whether a candidate pair is plain UDP to an IP address: werift's STUN protocol on its UDP
 * transport (not TURN, not TCP), where a send is one `socket.send` and a hostname (which
 * werift resolves with a callback) is not involved.
 */
export function directUdp(pair: CandidatePairState): boolean {
  const transport = pair.protocol.transport;
  return (
    pair.protocol.constructor.name === 'StunProtocol' &&
    transport?.type === 'udp' &&
    typeof transport.socket?.send === 'function' &&
    isIP(pair.remoteAddr[0]) !== 0
  );
}
