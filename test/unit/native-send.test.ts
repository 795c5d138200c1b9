// The optional native send path (packages/srtp-send) against werift's SRTP: for each profile
// a browser negotiates, the packet it puts on the wire is the one werift would have sent,
// byte for byte, so a receiver cannot tell the two paths apart. Skipped, saying so, where the
// module was not built (npm run build:native; .ci/run builds it).

import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { RtpHeader, SrtpSession } from 'werift';
import { nativeSend } from '../../engine/rtp/native-send';

const native = nativeSend();
// NOTE: the test command builds the module, so under CI a missing one fails here rather than skip.
const NOT_BUILT = 'skipped: packages/srtp-send is not built (npm run build:native)';
const describeBuilt = native || process.env.CI ? describe : describe.skip;
if (!native) console.warn(`${__filename}: ${NOT_BUILT}`);

describeBuilt(native ? 'native SRTP send' : `native SRTP send (${NOT_BUILT})`, () => {
  let receiver: Socket;
  let sender: Socket;
  const received: Buffer[] = [];

  beforeAll(async () => {
    if (!native) throw new Error(`CI builds the native module, and it is missing: ${NOT_BUILT}`);
    receiver = createSocket('udp4');
    receiver.on('message', (m) => received.push(m));
    await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', r));
    sender = createSocket('udp4');
    await new Promise<void>((r) => sender.bind(0, '127.0.0.1', r));
  });

  afterAll(() => {
    receiver.close();
    sender.close();
  });

  /** The sending socket's descriptor, as the engine reads it from dgram's state. */
  const fdOf = (socket: Socket): number => {
    const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol')!;
    return (socket as unknown as Record<symbol, { handle: { fd: number } }>)[state]!.handle.fd;
  };

  const bytesOf = (header: RtpHeader): Buffer => header.serialize(header.serializeSize);

  test.each([
    ['AES-CM/HMAC-SHA1-80', 0x0001, 14],
    ['AEAD AES-128-GCM', 0x0007, 12],
  ])('%s: the bytes on the wire are werift’s', async (_name, profile, saltLength) => {
    const key = randomBytes(16);
    const salt = randomBytes(saltLength);
    const werift = new SrtpSession({
      keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt },
      profile: profile as 1 | 7,
    });
    const session = native!.session(profile, key, salt);
    received.length = 0;
    const expected: Buffer[] = [];
    for (const seq of [65534, 65535, 0, 1]) {
      const header = new RtpHeader({ payloadType: 96, sequenceNumber: seq, timestamp: 1000 + seq, ssrc: 0x11223344 });
      const payload = randomBytes(900);
      expected.push(werift.encrypt(payload, header));
      const sent = native!.protectAndSend(session, fdOf(sender), '127.0.0.1', receiver.address().port, bytesOf(header), payload);
      expect(sent).toBe(expected.at(-1)!.length);
    }
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (received.length === expected.length) resolve(clearInterval(poll));
        else if (Date.now() - started > 5000) reject(new Error(`received ${received.length} of ${expected.length}`));
      }, 10);
    });
    expect(received.map((b) => b.toString('hex'))).toEqual(expected.map((b) => b.toString('hex')));
  });

  test('refuses what it cannot protect, in words, and drops an oversized packet', () => {
    expect(() => native!.session(0x0002, randomBytes(16), randomBytes(14))).toThrow(/unknown SRTP profile/);
    expect(() => native!.session(0x0001, randomBytes(8), randomBytes(14))).toThrow(/master key is 16 bytes/);
    const session = native!.session(0x0001, randomBytes(16), randomBytes(14));
    const header = bytesOf(new RtpHeader({ payloadType: 96, sequenceNumber: 1, timestamp: 1, ssrc: 1 }));
    expect(native!.protectAndSend(session, fdOf(sender), '127.0.0.1', 9, header, Buffer.alloc(2000))).toBe(-1);
    expect(() => native!.protectAndSend(session, fdOf(sender), 'peer.local', 9, header, Buffer.alloc(10))).toThrow(
      /not an IP address/,
    );
  });
});
