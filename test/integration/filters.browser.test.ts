// The embedded media server's filters (FaceOverlayFilter, chroma.ChromaFilter, GStreamerFilter)
// driven through the unmodified kurento-client, with Chromium sending a fake camera made at
// test time and receiving the filtered video back. Each test reads the pixels the user would
// see in the remote <video> and checks where the filter changed them and where it did not.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { eventually } from '../helpers/app';
import { reportBackgroundError } from '../helpers/background-errors';
import { BrowserPeer, PeerPageServer } from '../helpers/browser-peer';
import { launchChromium } from '../helpers/browser';
import { BUSY_CAMERA, fakeCameraArgs, type FakeCamera } from '../helpers/fake-camera';
import {
  CHROMA_CAMERA,
  backgroundFrameArgs,
  FACE,
  FACE_CAMERA,
  FIGURE,
  FIGURE_COLOUR,
  FOUR_FACES_CAMERA,
  GREEN,
  GRID_FACE_CENTRE_X,
  inset,
  HEAD_FACE_CENTRE_X,
  LEFT_OF_FIGURE,
  MOVING_FACE_CAMERA,
  RIGHT_OF_FIGURE,
  TWO_FACES_CAMERA,
} from '../helpers/filter-cameras';
import {
  captureFrame,
  channelSpread,
  colourBox,
  cropped,
  meanColour,
  pixel,
  type Box,
  type Frame,
  type Rgb,
} from '../helpers/frames';
import { helperPids, helpersOf } from '../helpers/gstreamer';
import { call, complexType, connect, negotiateBrowserOffer } from '../helpers/kurento';
import { loopThroughFilter, releaseOwned, type FilterLoop } from '../helpers/filter-loop';
import { HeadlessPeer } from '../../scripts/lib/headless-peer';

jest.setTimeout(90_000);

const ROOT = resolve(__dirname, '../..');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const MAGENTA: Rgb = [255, 0, 255];

describe('filters in the embedded media server (real browser, real GStreamer)', () => {
  let engine: EngineProcess;
  let client: any;
  let pages: PeerPageServer;
  let mediaDir: string;
  let images: Server;
  let imagesUrl: string;
  const browsers = new Map<string, Browser>();
  const peers: BrowserPeer[] = [];
  const pipelines: any[] = [];

  beforeAll(async () => {
    mediaDir = mkdtempSync(join(tmpdir(), 'filters-test-'));
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=0xFF00FF:s=64x64',
      '-frames:v',
      '1',
      join(mediaDir, 'magenta.png'),
    ]);
    copyFileSync(join(ROOT, 'client/assets/backgrounds/hubble_deep_field.jpg'), join(mediaDir, 'hubble.jpg'));
    // The overlay comes over http, as in the tutorials.
    images = createServer((req, res) => {
      if (req.url === '/huge.png') {
        // A PNG signature followed by 11 MiB: over the 10 MiB limit whatever it holds.
        const huge = Buffer.alloc(11 * 1024 * 1024);
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(huge);
        return void res.writeHead(200, { 'content-type': 'image/png' }).end(huge);
      }
      if (req.url === '/page.png')
        return void res.writeHead(200, { 'content-type': 'image/png' }).end('<html>not an image</html>');
      if (req.url !== '/magenta.png') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'image/png' }).end(readFileSync(join(mediaDir, 'magenta.png')));
    });
    await new Promise<void>((r) => images.listen(0, '127.0.0.1', () => r()));
    imagesUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
    engine = await EngineProcess.start(pino({ level: 'warn' }), {
      logLevel: 'warn',
      env: { ENGINE_MEDIA_DIR: mediaDir, ENGINE_ALLOW_PRIVATE_URLS: 'true' },
    });
    client = await connect(engine.url);
    pages = await PeerPageServer.start();
  });

  // Every pipeline released and every GStreamer process ended with its element.
  afterEach(() => releaseOwned(client, engine, { pipelines, peers }));

  afterAll(async () => {
    client?.close();
    for (const b of browsers.values()) await b.close();
    await pages?.close();
    await engine?.stop();
    images?.closeAllConnections();
    images?.close();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  async function browserWith(camera: FakeCamera): Promise<Browser> {
    let browser = browsers.get(camera.name);
    if (!browser) {
      browser = await launchChromium(fakeCameraArgs(camera));
      browsers.set(camera.name, browser);
    }
    return browser;
  }

  /** Camera → WebRtcEndpoint → filter → the same WebRtcEndpoint → the page's remote video. */
  async function loopThrough(camera: FakeCamera, type: string, params: Record<string, unknown> = {}): Promise<FilterLoop> {
    const build = (pipeline: any): Promise<any> => call<any>(pipeline, 'create', type, params);
    return loopThroughFilter(client, await browserWith(camera), pages, build, { pipelines, peers });
  }

  test('magic mirror: the overlay covers its box above the face, follows the settings, and goes with unset', async () => {
    const { peer, filter } = await loopThrough(FACE_CAMERA, 'FaceOverlayFilter');
    // A band above the face, as wide as the face and 0.3 of its height, ending 0.05 above it.
    await call(filter, 'setOverlayedImage', `${imagesUrl}/magenta.png`, 0, -0.35, 1, 0.3);
    const expected: Box = {
      x: FACE.x,
      y: Math.round(FACE.y - 0.35 * FACE.height),
      width: FACE.width,
      height: Math.round(0.3 * FACE.height),
    };

    const frame = await eventually(
      () => captureFrame(peer.page),
      (f) => colourBox(f, MAGENTA, 120).count > 1000,
      20_000,
    );
    expect([frame.width, frame.height]).toEqual([640, 480]);
    const found = colourBox(frame, MAGENTA, 120);
    const box = found.box!;
    // Where: the detector sees a downscaled copy and VP8 blurs edges, hence a few pixels' slack.
    expect(Math.abs(box.x - expected.x)).toBeLessThanOrEqual(8);
    expect(Math.abs(box.y - expected.y)).toBeLessThanOrEqual(8);
    expect(Math.abs(box.width - expected.width)).toBeLessThanOrEqual(12);
    expect(Math.abs(box.height - expected.height)).toBeLessThanOrEqual(12);
    // Covers its box, and appears nowhere else.
    expect(found.count).toBeGreaterThan(0.8 * expected.width * expected.height);
    const inner = meanColour(frame, inset(expected, 6));
    expect(inner[0]).toBeGreaterThan(200);
    expect(inner[1]).toBeLessThan(60);
    expect(inner[2]).toBeGreaterThan(200);
    // The face itself is not covered.
    expect(box.y + box.height).toBeLessThan(FACE.y + 4);

    await call(filter, 'unsetOverlayedImage');
    const cleared = await eventually(
      () => captureFrame(peer.page),
      (f) => colourBox(f, MAGENTA, 120).count === 0,
      10_000,
    );
    expect(colourBox(cleared, MAGENTA, 120).count).toBe(0);

    // A plain path inside the media directory works too, as on KMS (which takes no file://
    // URI), and so does a file URI.
    for (const uri of [join(mediaDir, 'magenta.png'), pathToFileURL(join(mediaDir, 'magenta.png')).href]) {
      await call(filter, 'unsetOverlayedImage');
      await eventually(
        () => captureFrame(peer.page),
        (f) => colourBox(f, MAGENTA, 120).count === 0,
        10_000,
      );
      await call(filter, 'setOverlayedImage', uri, 0, -0.35, 1, 0.3);
      await eventually(
        () => captureFrame(peer.page),
        (f) => colourBox(f, MAGENTA, 120).count > 1000,
        10_000,
        `the overlay from ${uri}`,
      );
    }
  });

  test('magic mirror: an image that cannot be used is accepted, as KMS does, and an Error event says why', async () => {
    const { peer, filter, errors } = await loopThrough(FACE_CAMERA, 'FaceOverlayFilter');
    await call(filter, 'setOverlayedImage', `${imagesUrl}/magenta.png`, 0, -0.35, 1, 0.3);
    await eventually(
      () => captureFrame(peer.page),
      (f) => colourBox(f, MAGENTA, 120).count > 1000,
      20_000,
    );
    // NOTE: a download fails in the same words whatever went wrong (the URL policy's rule:
    // errors must not map the network); local files and bad URIs say why.
    const cases: [string, RegExp][] = [
      [`${imagesUrl}/missing.png`, /missing\.png: could not read the URL/],
      [`${imagesUrl}/huge.png`, /huge\.png: could not read the URL/],
      [`${imagesUrl}/page.png`, /page\.png: could not read the URL/],
      ['http://127.0.0.1:1/hat.png', /Cannot fetch the image http:\/\/127\.0\.0\.1:1\/hat\.png: could not read the URL/],
      ['/etc/passwd', /outside the media directory/],
      ['ftp://example.org/hat.png', /unsupported scheme/],
    ];
    for (const [uri, why] of cases) {
      await call(filter, 'setOverlayedImage', uri, 0, 0, 1, 1);
      expect(errors.at(-1)).toMatch(why);
    }
    expect(errors).toHaveLength(cases.length);
    // The filter carries on without an image, as KMS does, and keeps the video flowing.
    const frame = await eventually(
      () => captureFrame(peer.page),
      (f) => colourBox(f, MAGENTA, 120).count === 0,
      10_000,
    );
    expect(frame.width).toBe(640);
  });

  test('magic mirror: several faces each get the overlay', async () => {
    const { peer, filter } = await loopThrough(TWO_FACES_CAMERA, 'FaceOverlayFilter');
    await call(filter, 'setOverlayedImage', `${imagesUrl}/magenta.png`, 0, -0.5, 1, 0.4);
    const halves: Box[] = [
      { x: 0, y: 0, width: 320, height: 480 },
      { x: 320, y: 0, width: 320, height: 480 },
    ];
    const inHalf = (f: Frame, h: Box): number => colourBox(cropped(f, h), MAGENTA, 120).count;
    const frame = await eventually(
      () => captureFrame(peer.page),
      (f) => halves.every((h) => inHalf(f, h) > 1000),
      20_000,
    );
    // Each band sits above its own head: over the face's centre, above the head's top at y=100+.
    for (const [i, h] of halves.entries()) {
      const box = colourBox(cropped(frame, h), MAGENTA, 120).box!;
      const faceCentre = (i === 0 ? 10 : 330) + HEAD_FACE_CENTRE_X;
      expect(Math.abs(h.x + box.x + box.width / 2 - faceCentre)).toBeLessThan(12);
      expect(box.y + box.height).toBeLessThan(200);
    }
  });

  test('magic mirror: four faces each get the overlay', async () => {
    const { peer, filter } = await loopThrough(FOUR_FACES_CAMERA, 'FaceOverlayFilter');
    await call(filter, 'setOverlayedImage', `${imagesUrl}/magenta.png`, 0, -0.5, 1, 0.4);
    const cells: Box[] = [0, 1, 2, 3].map((i) => ({ x: (i % 2) * 320, y: Math.floor(i / 2) * 240, width: 320, height: 240 }));
    const inCell = (f: Frame, c: Box): number => colourBox(cropped(f, c), MAGENTA, 120).count;
    const frame = await eventually(
      () => captureFrame(peer.page),
      (f) => cells.every((c) => inCell(f, c) > 500),
      20_000,
      'an overlay in each of the four cells',
    );
    for (const c of cells) {
      const box = colourBox(cropped(frame, c), MAGENTA, 120).box!;
      expect(Math.abs(box.x + box.width / 2 - (10 + GRID_FACE_CENTRE_X))).toBeLessThan(15);
    }
  });

  test('audio passes through a filter untouched', async () => {
    // Headless peers, so that the test knows every byte the publisher sent.
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    pipelines.push(pipeline);
    const [source, filter, sink] = [
      await call<any>(pipeline, 'create', 'WebRtcEndpoint'),
      await call<any>(pipeline, 'create', 'GStreamerFilter', { command: 'videobalance saturation=0.0' }),
      await call<any>(pipeline, 'create', 'WebRtcEndpoint'),
    ];
    await call(source, 'connect', filter);
    await call(filter, 'connect', sink);
    const publisher = HeadlessPeer.publisher();
    const viewer = HeadlessPeer.viewer();
    try {
      const payloads: Buffer[] = [];
      viewer.pc
        .getTransceivers()
        .find((t) => t.kind === 'audio')!
        .onTrack.subscribe((track) => track.onReceiveRtp.subscribe((p) => payloads.push(Buffer.from(p.payload))));
      for (const [peer, endpoint] of [
        [publisher, source],
        [viewer, sink],
      ] as const) {
        endpoint.on('IceCandidateFound', (e: any) => {
          peer.addCandidate(e.candidate).catch((err: unknown) => reportBackgroundError('a candidate refused', err));
        });
        peer.onCandidate((c) =>
          endpoint.addIceCandidate(complexType('IceCandidate', c), (err: unknown) => {
            if (err) reportBackgroundError('a candidate refused', err);
          }),
        );
      }
      await viewer.setAnswer(await call<string>(sink, 'processOffer', await viewer.createOffer()));
      await call(sink, 'gatherCandidates');
      await publisher.setAnswer(await call<string>(source, 'processOffer', await publisher.createOffer()));
      await call(source, 'gatherCandidates');
      publisher.startSending(300_000, 15);
      await eventually(
        () => payloads.length,
        (n) => n >= 50,
        20_000,
      );
      // Each is the publisher's own packet: 72 zero bytes, then the moment it was sent. A
      // filter that decoded and re-encoded the audio would have made other bytes.
      for (const p of payloads.slice(0, 50)) {
        expect(p.length).toBe(80);
        expect(p.subarray(0, 72).every((b) => b === 0)).toBe(true);
        expect(Math.abs(p.readDoubleBE(72) - performance.now() - performance.timeOrigin)).toBeLessThan(60_000);
      }
    } finally {
      await Promise.all([publisher.close(), viewer.close()]);
    }
  });

  test('magic mirror: the overlay follows a moving face', async () => {
    const { peer, filter } = await loopThrough(MOVING_FACE_CAMERA, 'FaceOverlayFilter');
    await call(filter, 'setOverlayedImage', `${imagesUrl}/magenta.png`, 0, -0.5, 1, 0.4);
    await eventually(
      () => captureFrame(peer.page),
      (f) => colourBox(f, MAGENTA, 120).count > 1000,
      20_000,
    );
    // Sample 40 frames, however long that takes on this machine: where the head is (its white
    // frame's left edge, on a row below the overlay) and where the overlay is, frame by frame.
    const samples: { head: number; overlay: number | undefined }[] = [];
    while (samples.length < 40) {
      const f = await captureFrame(peer.page);
      let head = -1;
      for (let x = 0; x < f.width && head < 0; x++) if (pixel(f, x, 400).every((v) => v > 200)) head = x;
      expect(head).toBeGreaterThanOrEqual(0);
      const found = colourBox(f, MAGENTA, 120);
      samples.push({ head, overlay: found.count > 500 ? found.box!.x + found.box!.width / 2 : undefined });
      await sleep(100);
    }
    const heads = samples.map((s) => s.head);
    // The head really moved, and the overlay stayed over the face in nine frames out of ten
    // (detection runs on the frames it has time for, so it may trail a fast move by a frame or
    // two, and a frame caught mid-move may have no overlay yet).
    expect(Math.max(...heads) - Math.min(...heads)).toBeGreaterThan(100);
    const over = samples.filter((s) => s.overlay !== undefined && Math.abs(s.overlay - (s.head + HEAD_FACE_CENTRE_X)) < 45);
    expect(over.length).toBeGreaterThanOrEqual(0.9 * samples.length);
  });

  test('chroma: after calibrating on the green, the background shows the image and the figure is untouched', async () => {
    // A plain path, as KMS's chroma reads it (with OpenCV's imread).
    const background = join(mediaDir, 'hubble.jpg');
    const { peer, filter, errors } = await loopThrough(CHROMA_CAMERA, 'chroma.ChromaFilter', {
      window: complexType('chroma.WindowParam', { topRightCornerX: 10, topRightCornerY: 10, width: 60, height: 60 }),
      backgroundImage: background,
    });
    // The image as the filter shows it: scaled to cover 640x480, centred.
    const image = execFileSync('ffmpeg', backgroundFrameArgs(join(mediaDir, 'hubble.jpg')), { maxBuffer: 8 << 20 });
    const reference: Frame = { width: 640, height: 480, data: image };
    const [left, right] = [LEFT_OF_FIGURE, RIGHT_OF_FIGURE];

    // The first keyed frames may still be on their way; the picture settles on the image.
    const settled = (f: Frame): boolean =>
      [left, right].every((r) => meanColour(f, r).every((v, c) => Math.abs(v - meanColour(reference, r)[c]!) < 15));
    const frame = await eventually(() => captureFrame(peer.page), settled, 20_000);
    for (const region of [left, right]) {
      const seen = meanColour(frame, region);
      const want = meanColour(reference, region);
      for (let c = 0; c < 3; c++) expect(Math.abs(seen[c]! - want[c]!)).toBeLessThan(15);
    }
    const figure = meanColour(frame, inset(FIGURE, 12));
    for (let c = 0; c < 3; c++) expect(Math.abs(figure[c]! - FIGURE_COLOUR[c]!)).toBeLessThan(30);

    // Without a background the picture passes as the camera made it.
    await call(filter, 'unsetBackground');
    const plain = await eventually(
      () => captureFrame(peer.page),
      (f) => meanColour(f, left)[1] > 150,
      10_000,
    );
    const green = meanColour(plain, left);
    for (let c = 0; c < 3; c++) expect(Math.abs(green[c]! - GREEN[c]!)).toBeLessThan(30);
    // A background that cannot be fetched is accepted; an Error event says why.
    expect(errors).toEqual([]);
    await call(filter, 'setBackground', `${imagesUrl}/missing.png`);
    expect(errors).toEqual([
      expect.stringMatching(/ChromaFilter goes on without its image.*missing\.png: could not read the URL/),
    ]);
    await call(filter, 'setBackground', pathToFileURL(background).href);
    await eventually(
      () => captureFrame(peer.page),
      (f) => meanColour(f, left)[1] < 100,
      10_000,
    );
  });

  test('chroma: a background image that cannot be fetched raises Error once the media starts, and the video flows on', async () => {
    const { peer, errors } = await loopThrough(CHROMA_CAMERA, 'chroma.ChromaFilter', {
      window: complexType('chroma.WindowParam', { topRightCornerX: 10, topRightCornerY: 10, width: 60, height: 60 }),
      backgroundImage: `${imagesUrl}/page.png`,
    });
    await eventually(
      () => errors,
      (e) => e.length > 0,
      20_000,
      'an Error event for the background',
    );
    expect(errors).toEqual([expect.stringMatching(/page\.png: could not read the URL/)]);
    const frame = await eventually(
      () => captureFrame(peer.page),
      (f) => meanColour(f, LEFT_OF_FIGURE)[1] > 150,
      20_000,
    );
    expect(frame.width).toBe(640);
  });

  test('setVideoFormat: a PassThrough’s video leaves transcoded at the frame rate asked for', async () => {
    const { peer, filter: passThrough, errors } = await loopThrough(BUSY_CAMERA, 'PassThrough');
    // Frames decoded per second, over 2 s windows until one shows `wanted` (a busy machine
    // may take a while to settle at the new rate).
    const rate = async (wanted: (fps: number) => boolean, what: string): Promise<number> => {
      await eventually(
        () => peer.videoStats(),
        (st) => st.framesDecoded > 0,
        20_000,
      );
      return eventually(
        async () => {
          const before = await peer.videoStats();
          await sleep(2000);
          const after = await peer.videoStats();
          return ((after.framesDecoded - before.framesDecoded) * 1000) / (after.timestamp - before.timestamp);
        },
        wanted,
        40_000,
        what,
      );
    };
    expect(await rate((fps) => fps > 20, 'the camera’s 30 fps')).toBeGreaterThan(20); // forwarded as it came
    expect(await call(passThrough, 'isMediaTranscoding', 'VIDEO')).toBe(false);
    const caps = (codec: string, fps: number): unknown =>
      complexType('VideoCaps', { codec, framerate: complexType('Fraction', { numerator: fps, denominator: 1 }) });
    await call(passThrough, 'setVideoFormat', caps('VP8', 10));
    expect(await call(passThrough, 'isMediaTranscoding', 'VIDEO')).toBe(true);
    const slowed = await rate((fps) => fps > 7 && fps < 13, 'about 10 fps');
    expect(slowed).toBeGreaterThan(7);
    expect(slowed).toBeLessThan(13);
    // RAW (kurento-client's own test) is taken too: decoded and re-encoded at that rate.
    await call(passThrough, 'setVideoFormat', caps('RAW', 30));
    expect(await rate((fps) => fps > 20, '30 fps again')).toBeGreaterThan(20);
    await expect(call(passThrough, 'setVideoFormat', caps('VP9', 30))).rejects.toThrow(/transcodes video to VP8, H264, RAW only/);
    expect(errors).toEqual([]);
  });

  test('setVideoFormat H264: a VP8 camera reaches a viewer that takes H.264 only', async () => {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    pipelines.push(pipeline);
    const camera = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const passThrough = await call<any>(pipeline, 'create', 'PassThrough');
    const viewer = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const errors: string[] = [];
    for (const element of [passThrough, viewer]) element.on('Error', (e: { description: string }) => errors.push(e.description));
    await call(camera, 'connect', passThrough);
    await call(passThrough, 'connect', viewer);
    await call(
      passThrough,
      'setVideoFormat',
      complexType('VideoCaps', { codec: 'H264', framerate: complexType('Fraction', { numerator: 15, denominator: 1 }) }),
    );
    const sender = await BrowserPeer.open(await browserWith(BUSY_CAMERA), pages, { send: true });
    peers.push(sender);
    await negotiateBrowserOffer(sender, camera, 'video/VP8');
    const watcher = await BrowserPeer.open(await browserWith(BUSY_CAMERA), pages, { send: false });
    peers.push(watcher);
    await negotiateBrowserOffer(watcher, viewer, 'video/H264');
    expect(await call<string>(viewer, 'getLocalSessionDescriptor')).not.toMatch(/VP8/);
    const seen = await eventually(
      () => watcher.videoStats(),
      (st) => st.framesDecoded > 30 && st.frameWidth > 0,
      30_000,
      'H.264 frames decoded by the viewer',
    );
    expect(seen.frameWidth).toBe(640);
    expect(errors).toEqual([]);
  });

  test('effect: saturation 0 makes the picture grey; a killed helper raises Error and the picture comes back', async () => {
    const { peer, filter, errors } = await loopThrough(BUSY_CAMERA, 'GStreamerFilter', {
      command: 'videobalance saturation=0.0',
    });
    const grey = await eventually(
      () => captureFrame(peer.page),
      (f) => channelSpread(f) < 6,
      20_000,
    );
    expect(channelSpread(grey)).toBeLessThan(6);
    // The filter decodes and re-encodes the video; audio passes through as it came.
    expect(await call(filter, 'isMediaTranscoding', 'VIDEO')).toBe(true);
    expect(await call(filter, 'isMediaTranscoding', 'AUDIO')).toBe(false);
    // The camera itself is colourful: the same filter at full saturation shows it.
    await call(filter, 'setElementProperty', 'saturation', '1.0');
    expect(
      channelSpread(
        await eventually(
          () => captureFrame(peer.page),
          (f) => channelSpread(f) > 30,
          10_000,
        ),
      ),
    ).toBeGreaterThan(30);
    await call(filter, 'setElementProperty', 'saturation', '0.0');
    await eventually(
      () => captureFrame(peer.page),
      (f) => channelSpread(f) < 6,
      10_000,
    );

    // The helper dies mid-stream: Error, then a new helper, keeping the settings.
    const [pid] = helperPids(engine);
    process.kill(pid!, 'SIGKILL');
    await eventually(
      () => errors,
      (e) => e.some((d) => /restarting/.test(d)),
      10_000,
    );
    await eventually(
      () => helperPids(engine),
      (p) => p.length === 1 && p[0] !== pid,
      10_000,
    );
    const before = (await peer.videoStats()).framesDecoded;
    const after = await eventually(
      () => peer.videoStats(),
      (s) => s.framesDecoded > before + 30,
      15_000,
    );
    expect(after.framesDecoded).toBeGreaterThan(before + 30);
    // The new helper kept the settings: the picture is grey again, not the camera's colours.
    await eventually(
      () => captureFrame(peer.page),
      (f) => channelSpread(f) < 6,
      10_000,
      'a grey picture from the restarted helper',
    );

    // A second death is final: the filter says so and starts no other helper.
    const [second] = helperPids(engine);
    process.kill(second!, 'SIGKILL');
    await eventually(
      () => errors,
      (e) => e.some((d) => /ended again.*the filter stopped/.test(d)),
      10_000,
    );
    await eventually(helpersOf(engine), (n) => n === 0, 5000);
    // Frames keep coming into the filter; give a restart every chance to happen, then check.
    await sleep(3000);
    expect(helperPids(engine).length).toBe(0);

    // No frames, no process: the camera goes, and so does the helper, while the filter stays.
    await peer.close();
    peers.length = 0;
    expect(await eventually(helpersOf(engine), (n) => n === 0, 15_000)).toBe(0);
  });

  test('a filter that sees no frames starts no process', async () => {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    pipelines.push(pipeline);
    await call(pipeline, 'create', 'FaceOverlayFilter');
    await call(pipeline, 'create', 'GStreamerFilter', { command: 'edgetv' });
    await sleep(1000);
    expect(helperPids(engine).length).toBe(0);
  });

  test('commands outside the allow-list, and bad chroma windows, are refused in words', async () => {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    pipelines.push(pipeline);
    const create = (type: string, params: Record<string, unknown>): Promise<unknown> => call(pipeline, 'create', type, params);
    await expect(create('GStreamerFilter', { command: 'videobalance ! filesrc location=/etc/passwd' })).rejects.toThrow(
      /'filesrc' is not an allowed GStreamerFilter element/,
    );
    await expect(create('GStreamerFilter', { command: 'videobalance saturation=lots' })).rejects.toThrow(/must be a number/);
    await expect(create('GStreamerFilter', { command: 'videoflip method=sideways' })).rejects.toThrow(/one of none, clockwise/);
    await expect(create('GStreamerFilter', { command: 'videoflip "method=none"' })).rejects.toThrow(/not a property=value/);
    await expect(create('GStreamerFilter', { command: 'edgetv', filterType: 'AUDIO' })).rejects.toThrow(
      /video GStreamerFilters only/,
    );
    const window = (width: number): unknown =>
      complexType('chroma.WindowParam', { topRightCornerX: 0, topRightCornerY: 0, width, height: 10 });
    await expect(create('chroma.ChromaFilter', { window: window(0) })).rejects.toThrow(/positive size/);
    await expect(create('chroma.ChromaFilter', { window: window(10), backgroundImage: 'file:///etc/passwd' })).rejects.toThrow(
      /outside the media directory/,
    );
  });
});

describe('filters without GStreamer', () => {
  test('without gstreamer1.0-opencv, the face overlay names that package; other filters still work', async () => {
    // A GStreamer that sees every plugin of this machine but OpenCV's, as on a machine
    // where gstreamer1.0-opencv is not installed.
    const system = readdirSync('/usr/lib')
      .map((d) => join('/usr/lib', d, 'gstreamer-1.0'))
      .find((d) => existsSync(join(d, 'libgstcoreelements.so')))!;
    const plugins = mkdtempSync(join(tmpdir(), 'gst-no-opencv-'));
    for (const f of readdirSync(system))
      if (f.endsWith('.so') && !/opencv/.test(f)) symlinkSync(join(system, f), join(plugins, f));
    const engine = await EngineProcess.start(pino({ level: 'warn' }), {
      logLevel: 'warn',
      env: { GST_PLUGIN_SYSTEM_PATH_1_0: plugins, GST_PLUGIN_PATH_1_0: '', GST_REGISTRY_1_0: join(plugins, 'registry.bin') },
    });
    const client = await connect(engine.url);
    try {
      const pipeline = await call<any>(client, 'create', 'MediaPipeline');
      await expect(call(pipeline, 'create', 'FaceOverlayFilter')).rejects.toThrow(
        /GStreamer lacks facedetect; install gstreamer1\.0-opencv and opencv-data/,
      );
      await call(pipeline, 'create', 'GStreamerFilter', { command: 'edgetv' });
      await call(pipeline, 'release');
    } finally {
      client.close();
      await engine.stop();
      rmSync(plugins, { recursive: true, force: true });
    }
  });

  test('creating a filter fails with the packages to install; the rest of the engine works', async () => {
    const engine = await EngineProcess.start(pino({ level: 'warn' }), {
      logLevel: 'warn',
      env: { ENGINE_GST_PYTHON: '/nonexistent/python3' },
    });
    const client = await connect(engine.url);
    try {
      const pipeline = await call<any>(client, 'create', 'MediaPipeline');
      for (const [type, params] of [
        ['FaceOverlayFilter', {}],
        ['GStreamerFilter', { command: 'edgetv' }],
      ] as const) {
        await expect(call(pipeline, 'create', type, params)).rejects.toThrow(
          /GStreamer is not available.*install .*gstreamer1\.0-plugins-good/,
        );
      }
      const webRtc = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
      const passThrough = await call<any>(pipeline, 'create', 'PassThrough');
      await call(webRtc, 'connect', passThrough);
      expect(await call<string>(webRtc, 'generateOffer')).toMatch(/^v=0/);
      await call(pipeline, 'release');
    } finally {
      client.close();
      await engine.stop();
    }
  });
});
