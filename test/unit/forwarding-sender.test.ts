// The fan-out's fast send path against what werift itself reads: the header it writes parses
// as the RTP header werift would have written (stamps plus the sender's offsets, SSRC,
// payload type, marker, the MID and abs-send-time extensions), the sender's counters and
// retransmission cache move as sendRtp moves them, the sender report's NTP/RTP pair is taken
// together, and a sender that negotiated RTX is left to werift. Browsers decoding through it
// are the integration tests (every call, and NACK recovery in filter-endurance).

import { RtpHeader, type RTCRtpSender } from 'werift';
import { ForwardedHeader, ForwardingSender } from '../../engine/rtp/forwarding-sender';

const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';

function fakeSender(overrides: Record<string, unknown> = {}) {
  const sent: { payload: Buffer; header: ForwardedHeader }[] = [];
  const sender = {
    ssrc: 0x11223344,
    mid: '1',
    codec: { payloadType: 96 },
    headerExtensions: [
      { uri: ABS_SEND_TIME_URI, id: 3 },
      { uri: MID_URI, id: 1 },
    ],
    timestampOffset: 1000,
    seqOffset: 10,
    timestamp: 0,
    sequenceNumber: 0,
    ntpTimestamp: 0n,
    rtpTimestamp: 0,
    octetCount: 0,
    packetCount: 0,
    headerBytesSent: 0,
    rtpCache: [] as unknown[],
    rtxPayloadType: undefined as number | undefined,
    dtlsTransport: {
      state: 'connected',
      sendRtp: async (payload: Buffer, header: ForwardedHeader) => {
        sent.push({ payload, header });
        return payload.length;
      },
    },
    runRtcp: () => undefined,
    ...overrides,
  };
  return { sender, sent, fast: ForwardingSender.for(sender as unknown as RTCRtpSender)! };
}

describe('ForwardingSender', () => {
  test('writes the header werift would: stamps plus offsets, SSRC, payload type, marker, MID and abs-send-time', () => {
    const { sent, fast } = fakeSender();
    const payload = Buffer.from('vp8 payload');
    expect(fast.send(0xfffffff0, 0xfffe, true, payload)).toBe(true);
    const parsed = RtpHeader.deSerialize(sent[0]!.header.serialize());
    expect(parsed).toMatchObject({
      version: 2,
      padding: false,
      marker: true,
      payloadType: 96,
      ssrc: 0x11223344,
      timestamp: (0xfffffff0 + 1000) >>> 0,
      sequenceNumber: (0xfffe + 10) & 0xffff,
      extension: true,
    });
    const byId = new Map(parsed.extensions.map((e) => [e.id, e.payload]));
    expect(byId.get(1)?.toString()).toBe('1');
    expect(byId.get(3)).toHaveLength(3);
    expect(parsed.payloadOffset).toBe(sent[0]!.header.serializeSize);
    expect(sent[0]!.payload).toBe(payload);
    // What werift's SRTP reads of a header.
    expect(sent[0]!.header).toMatchObject({ ssrc: 0x11223344, sequenceNumber: 8 });
  });

  test('with no extensions negotiated, a plain 12-byte header', () => {
    const { sent, fast } = fakeSender({ headerExtensions: [] });
    fast.send(5, 6, false, Buffer.alloc(100));
    expect(sent[0]!.header.serializeSize).toBe(12);
    expect(RtpHeader.deSerialize(sent[0]!.header.serialize())).toMatchObject({
      extension: false,
      marker: false,
      sequenceNumber: 16,
    });
  });

  test('moves the counters and the retransmission cache as sendRtp does', () => {
    const { sender, sent, fast } = fakeSender();
    fast.send(100, 1, false, Buffer.alloc(1000));
    fast.send(200, 2, true, Buffer.alloc(500));
    expect(sender).toMatchObject({ packetCount: 2, octetCount: 1500, sequenceNumber: 12, timestamp: 1200 });
    expect(sender.headerBytesSent).toBe(sent[0]!.header.serializeSize * 2);
    // A NACK for sequence 12 finds the packet werift's handler will send again.
    const cached = sender.rtpCache[12 % 128] as { header: ForwardedHeader; payload: Buffer };
    expect(cached.header.sequenceNumber).toBe(12);
    expect(cached.payload).toBe(sent[1]!.payload);
  });

  test('takes the sender report’s NTP and RTP times together, every 100 ms', () => {
    const { sender, fast } = fakeSender();
    const t0 = 5000;
    fast.send(100, 1, false, Buffer.alloc(10), t0);
    const first = { ntp: sender.ntpTimestamp, rtp: sender.rtpTimestamp };
    expect(first.rtp).toBe(1100);
    // NTP seconds since 1900 at about now.
    const seconds = Number(first.ntp >> 32n) - 2_208_988_800;
    expect(Math.abs(seconds - (performance.timeOrigin + t0) / 1000)).toBeLessThan(2);
    fast.send(190, 2, false, Buffer.alloc(10), t0 + 50);
    expect({ ntp: sender.ntpTimestamp, rtp: sender.rtpTimestamp }).toEqual(first);
    fast.send(1000, 3, false, Buffer.alloc(10), t0 + 150);
    expect(sender.rtpTimestamp).toBe(2000);
    expect(sender.ntpTimestamp - first.ntp).toBeGreaterThan(0n);
  });

  test('leaves RTX and RED senders to werift, and sends nothing before DTLS is up', () => {
    expect(ForwardingSender.for(fakeSender({ rtxPayloadType: 97 }).sender as unknown as RTCRtpSender)).toBeUndefined();
    const later = fakeSender();
    later.sender.rtxPayloadType = 97;
    expect(later.fast.send(1, 1, false, Buffer.alloc(10))).toBe(false);
    const connecting = fakeSender({
      dtlsTransport: { state: 'connecting', sendRtp: () => Promise.reject(new Error('not now')) },
    });
    expect(connecting.fast.send(1, 1, false, Buffer.alloc(10))).toBe(true);
    expect(connecting.sender.packetCount).toBe(0);
  });

  describe('the direct UDP path', () => {
    // Named as werift's classes are: the path goes by the protocol's class.
    class StunProtocol {
      constructor(readonly transport: { type: string; closed: boolean; socket: { send: jest.Mock } }) {}
    }
    class StunOverTurnProtocol extends StunProtocol {}

    function direct(options: { protocol?: typeof StunProtocol; host?: string; consent?: boolean } = {}) {
      const socket = { send: jest.fn() };
      const Protocol = options.protocol ?? StunProtocol;
      const pair = {
        remoteAddr: [options.host ?? '127.0.0.1', 40000] as [string, number],
        packetsSent: 0,
        bytesSent: 0,
        protocol: new Protocol({ type: 'udp', closed: false, socket }),
      };
      const viaWerift: Buffer[] = [];
      const dtlsTransport = {
        state: 'connected',
        bytesSent: 0,
        packetsSent: 0,
        srtp: {
          encrypt: (payload: Buffer, header: ForwardedHeader) => Buffer.concat([header.serialize(), payload, Buffer.alloc(16)]),
        },
        iceTransport: { connection: { nominated: pair, canSendApplicationData: () => options.consent ?? true } },
        sendRtp: async (payload: Buffer) => {
          viaWerift.push(payload);
          return payload.length;
        },
      };
      const made = fakeSender({ dtlsTransport });
      return { ...made, socket, pair, dtlsTransport, viaWerift };
    }

    test('protects once and sends on the nominated pair’s socket, moving werift’s counters', () => {
      const { fast, socket, pair, dtlsTransport, viaWerift } = direct();
      expect(fast.send(1, 1, false, Buffer.from('payload'))).toBe(true);
      expect(viaWerift).toEqual([]);
      expect(socket.send).toHaveBeenCalledTimes(1);
      const [bytes, port, host] = socket.send.mock.calls[0] as [Buffer, number, string];
      expect([port, host]).toEqual([40000, '127.0.0.1']);
      expect(RtpHeader.deSerialize(bytes).ssrc).toBe(0x11223344);
      expect(bytes.subarray(bytes.length - 16 - 7, bytes.length - 16).toString()).toBe('payload');
      expect(pair).toMatchObject({ packetsSent: 1, bytesSent: bytes.length });
      expect(dtlsTransport).toMatchObject({ packetsSent: 1, bytesSent: bytes.length });
    });

    test('sends nothing once consent has expired (RFC 7675)', () => {
      const { fast, socket, viaWerift } = direct({ consent: false });
      expect(fast.send(1, 1, false, Buffer.from('payload'))).toBe(true);
      expect(socket.send).not.toHaveBeenCalled();
      expect(viaWerift).toEqual([]);
    });

    test('leaves a relayed pair, or one to a hostname, to werift', () => {
      for (const options of [{ protocol: StunOverTurnProtocol }, { host: 'peer.local' }]) {
        const { fast, socket, viaWerift } = direct(options);
        expect(fast.send(1, 1, false, Buffer.from('payload'))).toBe(true);
        expect(socket.send).not.toHaveBeenCalled();
        expect(viaWerift).toHaveLength(1);
      }
    });
  });
});
