// The SDP of plain RTP (RtpEndpoint): read loosely, as KMS's SDP agent reads what RTP tools
// write (attributes in any order, b= lines anywhere), and written in KMS's shape: one
// connection address for the session, each media's RTCP port as a=rtcp, SDES keys as
// a=crypto (RFC 4568).

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface RtpMap {
  name: string;
  clockRate: number;
  channels?: number;
}

export interface CryptoLine {
  tag: string;
  suite: string;
  /** The inline key's base64 (key and salt). */
  keyBase64: string;
}

export interface PlainMedia {
  kind: string;
  port: number;
  proto: string;
  formats: string[];
  rtpmap: Map<string, RtpMap>;
  fmtp: Map<string, string>;
  address: string | undefined;
  rtcpPort: number | undefined;
  direction: Direction;
  crypto: CryptoLine[];
  mid: string | undefined;
}

export interface PlainSdp {
  address: string | undefined;
  media: PlainMedia[];
}

const DIRECTIONS: Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

/** A description an RTP peer sent; throws on anything that is not one. */
export function parsePlainSdp(sdp: string): PlainSdp {
  const lines = sdp.split(/\r?\n/).filter((l) => l.length > 0);
  if (!lines[0]?.startsWith('v=')) throw new Error('it does not start with v=');
  const out: PlainSdp = { address: undefined, media: [] };
  let sessionDirection: Direction = 'sendrecv';
  let current: PlainMedia | undefined;
  for (const line of lines) {
    const type = line[0];
    const value = line.slice(2);
    if (line[1] !== '=') throw new Error(`"${line.slice(0, 40)}" is not an SDP line`);
    if (type === 'm') {
      const [kind = '', port = '', proto = '', ...formats] = value.split(' ');
      const portNumber = Number(port.split('/')[0]);
      if (!kind || !Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535 || !proto) {
        throw new Error(`"m=${value.slice(0, 40)}" is not a media line`);
      }
      current = {
        kind,
        port: portNumber,
        proto,
        formats,
        rtpmap: new Map(),
        fmtp: new Map(),
        address: undefined,
        rtcpPort: undefined,
        direction: sessionDirection,
        crypto: [],
        mid: undefined,
      };
      out.media.push(current);
    } else if (type === 'c') {
      const address = value.split(' ')[2]?.split('/')[0];
      if (current) current.address = address;
      else out.address = address;
    } else if (type === 'a') {
      const colon = value.indexOf(':');
      const name = colon < 0 ? value : value.slice(0, colon);
      const rest = colon < 0 ? '' : value.slice(colon + 1);
      if (DIRECTIONS.includes(name as Direction)) {
        if (current) current.direction = name as Direction;
        else sessionDirection = name as Direction;
      }
      if (!current) continue;
      if (name === 'rtpmap') {
        const [pt = '', codec = ''] = rest.split(' ');
        const [codecName = '', rate = '', channels] = codec.split('/');
        current.rtpmap.set(pt, { name: codecName, clockRate: Number(rate), channels: channels ? Number(channels) : undefined });
      } else if (name === 'fmtp') {
        const space = rest.indexOf(' ');
        if (space > 0) current.fmtp.set(rest.slice(0, space), rest.slice(space + 1));
      } else if (name === 'rtcp') {
        current.rtcpPort = Number(rest.split(' ')[0]);
      } else if (name === 'mid') {
        current.mid = rest;
      } else if (name === 'crypto') {
        const [tag = '', suite = '', keyParams = ''] = rest.split(' ');
        const inline = /^inline:([A-Za-z0-9+/=]+)/.exec(keyParams);
        if (inline) current.crypto.push({ tag, suite, keyBase64: inline[1]! });
      }
    }
  }
  if (out.media.length === 0) throw new Error('it has no media line');
  return out;
}

export interface MediaAnswer {
  kind: string;
  /** 0 for a rejected section. */
  port: number;
  proto: string;
  formats: string[];
  rtpmap: Map<string, RtpMap>;
  fmtp: Map<string, string>;
  rtcpPort?: number;
  direction: Direction;
  ssrc?: number;
  cname?: string;
  /** RTCP feedback the section offers (AVPF): nack, pli and fir on video. */
  feedback?: boolean;
  crypto?: CryptoLine;
  mid?: string;
}

/** A description in KMS's shape: session address, then each media section. */
export function writePlainSdp(sessionId: string, address: string, media: MediaAnswer[]): string {
  const family = address.includes(':') ? 'IP6' : 'IP4';
  const lines = [
    'v=0',
    `o=- ${sessionId} ${sessionId} IN ${family} ${address}`,
    's=Kurento Media Server',
    `c=IN ${family} ${address}`,
    't=0 0',
  ];
  for (const m of media) {
    lines.push(`m=${m.kind} ${m.port} ${m.proto} ${m.formats.join(' ')}`);
    if (m.port === 0) {
      lines.push('a=inactive');
      if (m.mid !== undefined) lines.push(`a=mid:${m.mid}`);
      continue;
    }
    for (const pt of m.formats) {
      const map = m.rtpmap.get(pt);
      if (map) lines.push(`a=rtpmap:${pt} ${map.name}/${map.clockRate}${map.channels ? `/${map.channels}` : ''}`);
      const fmtp = m.fmtp.get(pt);
      if (fmtp) lines.push(`a=fmtp:${pt} ${fmtp}`);
      if (m.feedback) lines.push(`a=rtcp-fb:${pt} nack`, `a=rtcp-fb:${pt} nack pli`, `a=rtcp-fb:${pt} ccm fir`);
    }
    if (m.rtcpPort !== undefined) lines.push(`a=rtcp:${m.rtcpPort}`);
    if (m.crypto) lines.push(`a=crypto:${m.crypto.tag} ${m.crypto.suite} inline:${m.crypto.keyBase64}`);
    lines.push(`a=${m.direction}`);
    if (m.mid !== undefined) lines.push(`a=mid:${m.mid}`);
    if (m.ssrc !== undefined) lines.push(`a=ssrc:${m.ssrc} cname:${m.cname ?? 'kurento'}`);
  }
  return lines.join('\r\n') + '\r\n';
}

/** What the other side does, seen from this side. */
export function reverse(direction: Direction): Direction {
  return direction === 'sendonly' ? 'recvonly' : direction === 'recvonly' ? 'sendonly' : direction;
}
