// Every filter a demo offers keeps the picture moving: each effect of the effects page, the
// face overlay and chroma, for 20 s, on Chromium's default fake camera and on the astronaut
// camera. The picture is frozen when the browser decodes no new frame for two seconds in a
// row: that never happens. (One empty second alone is a machine busy with three processes
// per call on two cores, which a viewer sees as a stutter; the frame rate below still has
// to hold.) "Old film" and "Edges" used to freeze for good:
// a keyframe lost on the way, and the browser's requests for another never reached the
// filter. The last test drops packets on their way to the browser (iptables, in the tests'
// own network namespace) and shows the picture carrying on.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import { execFileSync } from 'node:child_process';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { EffectChoice, EFFECTS } from '../../demos/effects/messages';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { eventually } from '../helpers/app';
import { launchChromium } from '../helpers/browser';
import { BrowserPeer, PeerPageServer } from '../helpers/browser-peer';
import { fakeCameraArgs, type FakeCamera } from '../helpers/fake-camera';
import { FACE_CAMERA } from '../helpers/filter-cameras';
import { call, complexType, connect, disconnect } from '../helpers/kurento';
import { loopThroughFilter, type FilterLoop } from '../helpers/filter-loop';

jest.setTimeout(120_000);

const WATCH_SECONDS = 20;

/** Whether two seconds in a row passed with no new frame decoded. */
const frozenFor2s = (perSecond: number[]): boolean => perSecond.some((n, i) => n === 0 && perSecond[i + 1] === 0);

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

  /** Camera → WebRtcEndpoint → filter → the same WebRtcEndpoint → the page's remote video. */
  async function loopThrough(camera: { name: string; args: string[] }, build: FilterCase['build']): Promise<FilterLoop> {
    return loopThroughFilter(client, await browserFor(camera), pages, build, { pipelines, peers });
  }

  /** Frames the page decoded in each of `WATCH_SECONDS` seconds, from its first one on. */
  async function watch(peer: BrowserPeer): Promise<number[]> {
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
    return perSecond;
  }

  describe.each(CAMERAS)('on $name', (camera) => {
    test.each(CASES)('$name keeps decoding for 20 s', async ({ build }) => {
      const { peer, errors } = await loopThrough(camera, build);
      const perSecond = await watch(peer);
      const frozen = frozenFor2s(perSecond);
      expect({ frozen, perSecond, errors }).toEqual({ frozen: false, perSecond, errors: [] });
      // Frames keep coming at a real rate, not a trickle.
      expect(perSecond.reduce((a, b) => a + b, 0) / WATCH_SECONDS).toBeGreaterThan(10);
    });
  });

  test('with 3 % of the packets to the browser dropped, "Old film" keeps decoding: lost packets come again on NACK', async () => {
    const aging = EFFECTS.find((e) => e.command === 'agingtv')!;
    const { peer, errors } = await loopThrough(CAMERAS[0]!, effect(aging).build);
    await eventually(
      () => peer.videoStats(),
      (s) => s.framesDecoded > 0,
      20_000,
      'the first filtered frame',
    );
    // The browser's end of the media path: its local candidate of the selected pair.
    const port = await peer.page.evaluate(async () => {
      const report = await ((window as any).pc as RTCPeerConnection).getStats();
      let local = '';
      report.forEach((s: any) => {
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') local = s.localCandidateId;
      });
      return Number(report.get(local)?.port ?? 0);
    });
    expect(port).toBeGreaterThan(0);
    const rule = [
      'INPUT',
      '-p',
      'udp',
      '--dport',
      String(port),
      '-m',
      'statistic',
      '--mode',
      'random',
      '--probability',
      '0.03',
      '-j',
      'DROP',
    ];
    execFileSync('iptables', ['-A', ...rule]);
    try {
      const before = await inbound(peer);
      const perSecond = await watch(peer);
      const after = await inbound(peer);
      const frozen = frozenFor2s(perSecond);
      expect({ frozen, perSecond, errors }).toEqual({ frozen: false, perSecond, errors: [] });
      // Loss really happened, and the browser asked for (and got) the packets again.
      expect(after.nackCount - before.nackCount).toBeGreaterThan(10);
      expect(perSecond.reduce((a, b) => a + b, 0) / WATCH_SECONDS).toBeGreaterThan(10);
    } finally {
      execFileSync('iptables', ['-D', ...rule]);
    }
  });
});

/** The page's inbound video counters that say what loss it saw. */
async function inbound(peer: BrowserPeer): Promise<{ nackCount: number; pliCount: number; packetsLost: number }> {
  return peer.page.evaluate(async () => {
    const out = { nackCount: 0, pliCount: 0, packetsLost: 0 };
    (await ((window as any).pc as RTCPeerConnection).getStats()).forEach((s: any) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        out.nackCount = s.nackCount;
        out.pliCount = s.pliCount;
        out.packetsLost = s.packetsLost;
      }
    });
    return out;
  });
}
