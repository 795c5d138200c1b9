// The DTLS handshake, begun soon after ICE connects. As the DTLS client (which it is in
// every answer, setup:active, as KMS answers), werift's RTCDtlsTransport.start() waits a
// fixed 100 ms before sending its ClientHello: a tenth of a second added to every call's
// time to media. A browser keeps a ClientHello that comes before it is ready, so it needs
// no wait at all; a werift peer starts its DTLS server only once its own ICE says connected,
// a moment after ours, and drops what comes earlier, which costs a 500 ms retransmission.
// Measured on loopback against werift peers (20 handshakes each): no wait lost the first
// ClientHello 4 times in 20; 25 ms lost none and took 45 ms from ICE to DTLS connected,
// against 120 ms with werift's own wait. So the client starts after 25 ms, and werift's own
// late connect() becomes a no-op, so that only one ClientHello flight runs.
//
// NOTE: written against werift 0.24's RTCDtlsTransport, which assigns `this.dtls` in start()
// and then calls `this.dtls.connect()` after its wait. `startDtlsAtOnce` checks that the
// field exists and leaves a transport as it is otherwise.

import { DtlsClient, type RTCDtlsTransport, type RTCPeerConnection } from 'werift';

const handled = new WeakSet<RTCDtlsTransport>();

/** Makes every DTLS transport `pc` has now begin its handshake without werift's wait. */
export function startDtlsAtOnce(pc: RTCPeerConnection): void {
  for (const transport of pc.dtlsTransports) {
    if (handled.has(transport) || !Object.prototype.hasOwnProperty.call(transport, 'dtls')) continue;
    handled.add(transport);
    let current = (transport as { dtls?: unknown }).dtls;
    Object.defineProperty(transport, 'dtls', {
      configurable: true,
      enumerable: true,
      get: () => current,
      set: (value: unknown) => {
        current = value;
        if (value instanceof DtlsClient) connectNow(value, transport);
      },
    });
  }
}

/** How long the client waits after ICE connects before its ClientHello (see above). */
const CLIENT_HELLO_DELAY_MS = 25;

function connectNow(client: DtlsClient, transport: RTCDtlsTransport): void {
  const connect = client.connect.bind(client);
  let started: Promise<void> | undefined;
  client.connect = () => (started ??= connect());
  // werift subscribes to the handshake's outcome right after assigning the client, in the
  // same turn; an error reaches those subscribers, and werift's own connect() sees it too.
  // A transport closed meanwhile (the endpoint released) starts nothing.
  setTimeout(() => {
    if (transport.state !== 'closed' && transport.state !== 'failed') void client.connect().catch(() => undefined);
  }, CLIENT_HELLO_DELAY_MS);
}
