// startDtlsAtOnce: the engine's DTLS client sends its ClientHello 25 ms after werift starts
// the transport instead of 100 ms, and werift's own later connect() starts nothing more.

import { DtlsClient, type RTCPeerConnection } from 'werift';
import { startDtlsAtOnce } from '../../engine/rtp/dtls-start';

/** A DtlsClient whose handshake is a counter (the class is what the trap recognises). */
function fakeClient(): { client: DtlsClient; flights: () => number } {
  let flights = 0;
  const client = Object.create(DtlsClient.prototype) as DtlsClient;
  client.connect = async () => {
    flights++;
  };
  return { client, flights: () => flights };
}

/** A peer connection with one transport shaped as werift's: `dtls` is an own field. */
function fakePc(): { pc: RTCPeerConnection; transport: { dtls?: unknown } } {
  const transport: { dtls?: unknown } = {};
  Object.defineProperty(transport, 'dtls', { configurable: true, enumerable: true, writable: true, value: undefined });
  return { pc: { dtlsTransports: [transport] } as unknown as RTCPeerConnection, transport };
}

describe('startDtlsAtOnce', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('the client starts its one handshake 25 ms after werift creates it', async () => {
    const { pc, transport } = fakePc();
    startDtlsAtOnce(pc);
    startDtlsAtOnce(pc); // a second negotiation step changes nothing
    const { client, flights } = fakeClient();
    transport.dtls = client;
    expect(transport.dtls).toBe(client);
    jest.advanceTimersByTime(24);
    expect(flights()).toBe(0);
    jest.advanceTimersByTime(1);
    expect(flights()).toBe(1);
    // werift's own connect(), 100 ms in, joins the handshake under way.
    jest.advanceTimersByTime(75);
    await client.connect();
    expect(flights()).toBe(1);
  });

  test('a DTLS server is left to werift', () => {
    const { pc, transport } = fakePc();
    startDtlsAtOnce(pc);
    const server = { connect: jest.fn() };
    transport.dtls = server;
    jest.advanceTimersByTime(1000);
    expect(server.connect).not.toHaveBeenCalled();
  });

  test('a transport without werift’s field is left as it is', () => {
    const transport = {};
    startDtlsAtOnce({ dtlsTransports: [transport] } as unknown as RTCPeerConnection);
    expect(Object.getOwnPropertyDescriptor(transport, 'dtls')).toBeUndefined();
  });
});
