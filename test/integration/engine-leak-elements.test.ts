// Create/release cycles of the elements that own GStreamer processes or route between ports
// (Composite, AlphaBlending and Mixer with their mixers, Dispatcher, DispatcherOneToMany,
// ZBarFilter, ImageOverlayFilter, HttpPostEndpoint released mid-upload, RtpEndpoints with
// their sockets open, sending and not),
// each with media flowing through it: every helper process ends with its element, and the
// engine's file descriptors stay flat.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { usage, type Usage } from '../../scripts/lib/proc';
import { eventually } from '../helpers/app';
import { makeClip } from '../helpers/engine-session';
import { helpersOf } from '../helpers/gstreamer';
import { call, connect, disconnect, newHubPort } from '../helpers/kurento';

const CYCLES = Number(process.env.LEAK_ELEMENT_CYCLES ?? 12);
const WARM_UP = 2;

describe('embedded media server resources over cycles of hubs and analysing filters', () => {
  let engine: EngineProcess;
  let client: any;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leak-elements-'));
    makeClip(join(dir, 'clip.webm'), 30);
    engine = await EngineProcess.start(pino({ level: 'silent' }), { logLevel: 'warn', env: { ENGINE_MEDIA_DIR: dir } });
    client = await connect(engine.url);
  });

  afterAll(async () => {
    if (client) await disconnect(client);
    await engine?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test(`${CYCLES} cycles end every helper and leave descriptors flat`, async () => {
    const pid = engine.pid!;
    let baseline: Usage | undefined;
    for (let i = 0; i < CYCLES; i++) {
      const pipeline = await call<any>(client, 'create', 'MediaPipeline');
      try {
        const player = await call<any>(pipeline, 'create', 'PlayerEndpoint', { uri: `file://${join(dir, 'clip.webm')}` });
        const composite = await call<any>(pipeline, 'create', 'Composite');
        const dispatcher = await call<any>(pipeline, 'create', 'DispatcherOneToMany');
        const [{ port: into }, { port: out }] = await Promise.all([newHubPort(composite), newHubPort(composite)]);
        const [{ port: source }, { port: sink }] = await Promise.all([newHubPort(dispatcher), newHubPort(dispatcher)]);
        const zbar = await call<any>(pipeline, 'create', 'ZBarFilter');
        const overlay = await call<any>(pipeline, 'create', 'ImageOverlayFilter');
        const blending = await call<any>(pipeline, 'create', 'AlphaBlending');
        const mixer = await call<any>(pipeline, 'create', 'Mixer');
        const [{ port: blended }, { port: mixedIn }, { port: mixedOut }] = await Promise.all([
          newHubPort(blending),
          newHubPort(mixer),
          newHubPort(mixer),
        ]);
        // player → composite → dispatcher → zbar, and player → image overlay
        await call(player, 'connect', into);
        await call(out, 'connect', source);
        await call(dispatcher, 'setSource', source);
        await call(sink, 'connect', zbar);
        await call(player, 'connect', overlay);
        // player → alpha blending; player → mixer port, its audio mixed into another port's
        await call(player, 'connect', blended);
        await call(player, 'connect', mixedIn);
        await call(mixer, 'connect', 'AUDIO', mixedIn, mixedOut);
        await call(mixer, 'connect', 'VIDEO', mixedIn, mixedOut);
        await call(player, 'play');
        // RTP endpoints hold UDP sockets once they negotiate: one offers, one answers and sends.
        const rtpOffering = await call<any>(pipeline, 'create', 'RtpEndpoint');
        const rtpSending = await call<any>(pipeline, 'create', 'RtpEndpoint');
        const answer = await call<string>(rtpSending, 'processOffer', await call<string>(rtpOffering, 'generateOffer'));
        await call(rtpOffering, 'processAnswer', answer);
        await call(player, 'connect', rtpSending);
        // An upload still streaming when its endpoint goes.
        const httpPost = await call<any>(pipeline, 'create', 'HttpPostEndpoint');
        const upload = request(await call<string>(httpPost, 'getUrl'), {
          method: 'POST',
          headers: { 'content-type': 'video/webm', 'transfer-encoding': 'chunked' },
        });
        upload.on('error', () => undefined);
        upload.write(readFileSync(join(dir, 'clip.webm')));
        // The player, the three mixing hubs, both filters and the upload each run one process
        // once video reaches them.
        await eventually(helpersOf(engine), (n) => n === 7, 20_000, 'seven GStreamer processes');
      } finally {
        await call(pipeline, 'release');
      }
      await eventually(helpersOf(engine), (n) => n === 0, 10_000, 'every GStreamer process ended');
      if (i === WARM_UP - 1) baseline = usage(pid);
    }
    const after = await eventually(
      () => usage(pid),
      (u) => u.fds <= baseline!.fds + 2,
      10_000,
      'the engine’s descriptors back to their level after the warm-up',
    );
    console.log(`engine after ${WARM_UP} cycles: ${baseline!.fds} fds; after ${CYCLES}: ${after.fds} fds`);
    const manager = await call<any>(client, 'getServerManager');
    expect(await call<string[]>(manager, 'getPipelines')).toEqual([]);
    expect(after.fds).toBeLessThanOrEqual(baseline!.fds + 2);
  }, 600_000);
});
