// Every filter a demo offers keeps the picture moving: each effect of the effects page, the
// face overlay and chroma, for 20 s, on Chromium's default fake camera and on the astronaut
// camera. A second in which the browser decoded no new frame counts as frozen; fewer than
// 1 % of seconds may be (so none, in 20 s). "Old film" used to freeze for good on the
// default camera: its keyframes, full of grain, were lost on the way from the helper.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { EffectChoice, EFFECTS } from '../../server/demos/filters/catalog';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { eventually } from '../helpers/app';
import { launchChromium } from '../helpers/browser';
import { BrowserPeer, PeerPageServer } from '../helpers/browser-peer';
import { fakeCameraArgs, type FakeCamera } from '../helpers/fake-camera';
import { FACE_CAMERA } from '../helpers/filter-cameras';
import { call, complexType, connect, disconnect, negotiateBrowserOffer } from '../helpers/kurento';

jest.setTimeout(120_000);

const WATCH_SECONDS = 20;

interface FilterCase {
  name: string;
  build: (pipeline: any) => Promise<any>;
}

const effect = (e: EffectChoice): FilterCase => ({
  name: `effect "${e.label}" (${e.command})`,
  build: (pipeline) => call(pipeline, 'create', 'GStreamerFilter', { command: e.command }),
});

describe('filters keep the picture moving (embedded media server, real browsers)', () => {
  let engine: EngineProcess;
  let client: any;
  let pages: PeerPageServer;
  const browsers = new Map<string, Browser>();
  const pipelines: any[] = [];
  const peers: BrowserPeer[] = [];
  const overlay = `${__dirname}/../../client/assets/overlays/top-hat.png`;

  const CASES: FilterCase[] = [
    ...EFFECTS.map(effect),
    {
      name: 'FaceOverlayFilter with a hat',
      build: async (pipeline) => {
        const filter = await call<any>(pipeline, 'create', 'FaceOverlayFilter');
        await call(filter, 'setOverlayedImage', overlay, -0.35, -1.05, 1.7, 1.4);
        return filter;
      },
    },
    {
      name: 'chroma.ChromaFilter',
      build: (pipeline) =>
        call(pipeline, 'create', 'chroma.ChromaFilter', {
          window: complexType('chroma.WindowParam', { topRightCornerX: 10, topRightCornerY: 10, width: 40, height: 40 }),
          backgroundImage: overlay,
        }),
    },
  ];

  const CAMERAS: { name: string; args: string[] }[] = [
    { name: 'Chromium’s default fake camera', args: [] },
    { name: 'the astronaut camera', args: fakeCameraArgs(FACE_CAMERA as FakeCamera) },
  ];

  beforeAll(async () => {
    engine = await EngineProcess.start(pino({ level: 'warn' }), {
      logLevel: 'warn',
      // The overlay image is read from the project's assets, as the demos' images are from MEDIA_DIR.
      env: { ENGINE_MEDIA_DIR: `${__dirname}/../..` },
    });
    client = await connect(engine.url);
    pages = await PeerPageServer.start();
  });

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await Promise.all(pipelines.splice(0).map((p) => call(p, 'release')));
  });

  afterAll(async () => {
    for (const b of browsers.values()) await b.close();
    await pages?.close();
    if (client) await disconnect(client);
    await engine?.stop();
  });

  async function browserFor(camera: { name: string; args: string[] }): Promise<Browser> {
    let browser = browsers.get(camera.name);
    if (!browser) {
      browser = await launchChromium(camera.args);
      browsers.set(camera.name, browser);
    }
    return browser;
  }

  describe.each(CAMERAS)('on $name', (camera) => {
    test.each(CASES)('$name keeps decoding for 20 s', async ({ build }) => {
      const pipeline = await call<any>(client, 'create', 'MediaPipeline');
      pipelines.push(pipeline);
      const webRtc = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
      const filter = await build(pipeline);
      const errors: string[] = [];
      filter.on('Error', (e: { description: string }) => errors.push(e.description));
      await call(webRtc, 'connect', filter);
      await call(filter, 'connect', webRtc);
      const peer = await BrowserPeer.open(await browserFor(camera), pages, { send: true });
      peers.push(peer);
      await negotiateBrowserOffer(peer, webRtc);
      let last = (
        await eventually(
          () => peer.videoStats(),
          (s) => s.framesDecoded > 0,
          20_000,
          'the first filtered frame',
        )
      ).framesDecoded;
      const perSecond: number[] = [];
      for (let second = 0; second < WATCH_SECONDS; second++) {
        await new Promise((r) => setTimeout(r, 1000));
        const now = (await peer.videoStats()).framesDecoded;
        perSecond.push(now - last);
        last = now;
      }
      const frozen = perSecond.filter((n) => n === 0).length;
      expect({ frozen, perSecond, errors }).toEqual({ frozen: 0, perSecond, errors: [] });
      // Frames keep coming at a real rate, not a trickle.
      expect(perSecond.reduce((a, b) => a + b, 0) / WATCH_SECONDS).toBeGreaterThan(10);
    });
  });
});
