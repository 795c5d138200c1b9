// The engine's two send paths carry a call the same: with the native module (libsrtp2 and a
// direct UDP send) and without it (ENGINE_NATIVE_SEND=false), a viewer that decrypts and
// authenticates every packet (werift's SRTP) receives the broadcast whole. The engine runs in
// this process, so the test can count what went through the native module. Skipped, saying
// so, where the module was not built (npm run build:native; the test command builds it).

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import pino from 'pino';
import { loadEngineConfig } from '../../engine/config';
import { startEngine, type Engine } from '../../engine/engine';
import { nativeSend } from '../../engine/rtp/native-send';
import { HeadlessPeer, negotiate } from '../../scripts/lib/headless-peer';
import { eventually } from '../helpers/app';
import { call, connect, disconnect, negotiable } from '../helpers/kurento';

const native = nativeSend();
// NOTE: the test command builds the module, so under CI a missing one fails here rather than skip.
const NOT_BUILT = 'skipped: packages/srtp-send is not built (npm run build:native)';
const describeBuilt = native || process.env.CI ? describe : describe.skip;
if (!native) console.warn(`${__filename}: ${NOT_BUILT}`);

describeBuilt.each([
  ['the native path', 'true'],
  ['the TypeScript path', 'false'],
])(native ? 'a broadcast through %s' : `a broadcast through %s (${NOT_BUILT})`, (_name, setting) => {
  let engine: Engine;
  let client: any;
  let nativeSends = 0;
  const protectAndSend = native?.protectAndSend;

  beforeAll(async () => {
    if (!native) throw new Error(`CI builds the native module, and it is missing: ${NOT_BUILT}`);
    // Counts what the native module sends; the engine runs here (no workers) and uses this object.
    native!.protectAndSend = (...args) => {
      nativeSends++;
      return protectAndSend!.apply(native, args);
    };
    const config = loadEngineConfig(['--port', '0', '--workers', '0', '--native-send', setting]);
    engine = await startEngine(config, pino({ level: 'silent' }));
    client = await connect(`ws://127.0.0.1:${engine.port}/kurento`);
  });

  afterAll(async () => {
    native!.protectAndSend = protectAndSend!;
    if (client) await disconnect(client);
    await engine?.close();
  });

  test('reaches decrypting viewers whole', async () => {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    const peers: HeadlessPeer[] = [];
    try {
      const source = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
      const publisher = HeadlessPeer.publisher();
      peers.push(publisher);
      await negotiate(publisher, negotiable(source));
      const viewers = [HeadlessPeer.viewer(), HeadlessPeer.viewer()];
      peers.push(...viewers);
      for (const viewer of viewers) {
        const sink = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
        await call(source, 'connect', sink);
        await negotiate(viewer, negotiable(sink));
      }
      publisher.startSending(500_000, 15);
      await eventually(
        () => viewers.map((v) => v.received.packets),
        (counts) => counts.every((n) => n > 200),
        15_000,
        'both viewers to decrypt 200 packets',
      );
      for (const viewer of viewers) {
        expect(viewer.received.lost).toBe(0);
        expect(viewer.received.keyframes).toBeGreaterThan(0);
      }
      if (setting === 'true') expect(nativeSends).toBeGreaterThan(400);
      else expect(nativeSends).toBe(0);
    } finally {
      await Promise.all(peers.map((p) => p.close()));
      await call(pipeline, 'release');
    }
  }, 60_000);
});
